"""What mltrace asks of PostgreSQL and psycopg2 beyond plain SQL: COPY in and out, prepared statements and
planner settings, each for the figure in its comment. The rest of mltrace calls the plain functions here.

A failure of the driver in the middle of a COPY comes out as SQLAlchemy's error, like any other statement's,
marked `connection_invalidated` when the server or the network closed the connection: `Store` then runs the
work once more on a new connection, and the writer keeps the runs for later instead of setting them aside.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    CursorResult,
    DateTime,
    Dialect,
    Engine,
    Executable,
    Select,
    Table,
    TextClause,
    TextualSelect,
    bindparam,
    column,
    text,
)
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.types import TypeDecorator

from mltrace.db.json_sql import EMPTY_JSON
from mltrace.entities.times import utc

# --- planner settings ---------------------------------------------------------------------------------------

SESSION_SETTINGS = "SET jit = off"
"""Every connection's: mltrace's statements are short, and PostgreSQL compiles one whose row estimates are high
(guessed, on tables not analyzed yet) at more cost than running it: review of 100,000 runs on such tables took
about 300 ms with JIT, 35 ms without."""
READ_SESSION_SETTINGS = SESSION_SETTINGS + "; SET plan_cache_mode = force_generic_plan"
"""Query connections' too: a `Prepared` statement keeps one plan. With the default PostgreSQL planned again, at
every run, a statement whose LIMIT is a parameter (its generic plan's estimate assumes a tenth of the table)."""

_INDEX_WALKS = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off"
_TRIGRAM_SCAN = "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off;\n"


def prefer_index_walks(conn: Connection) -> None:
    """Recursive walks and lookups of a batch touch a few rows per step: make PostgreSQL use the indexes for them,
    until the transaction ends, even before it has statistics of a freshly loaded table (a hash join reads the
    whole table at every step: the walk of a 1,000-run chain in a fresh store of 100,000 runs took 17 ms with
    hash joins, 2.1 ms without)."""
    if conn.dialect.name == "postgresql":  # one round trip for both
        conn.exec_driver_sql(_INDEX_WALKS)


def index_walks_prefix(dialect: str) -> str:
    """What to put before a statement so that it runs as `prefer_index_walks` makes it, in the same round trip:
    on PostgreSQL the settings go first in the query string. On a read connection (autocommit) they last for
    this statement only, as PostgreSQL runs the statements of one query string as one transaction."""
    return f"{_INDEX_WALKS};\n" if dialect == "postgresql" else ""


def trigram_scan_prefix() -> str:
    """What to put before a statement whose condition only a GIN index serves (`name ILIKE '%q%'`), so that
    PostgreSQL reads that index whatever it estimates: on a table it had not analyzed it read a million names
    through the unique index instead (300 ms, where the GIN index answers in under 1 ms)."""
    return _TRIGRAM_SCAN


# --- prepared statements ------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s")
_PREPARED_KEY = "mltrace_prepared"


class Prepared:
    """A select (or text) statement run as a PostgreSQL prepared statement named `name`; as it is on SQLite.

    Planning a listing costs PostgreSQL more than running it (about 0.4 ms against 0.05 ms for a page of a
    component's history), and psycopg2 prepares nothing itself. The statement is prepared the first time a
    pooled connection runs it; later runs send only `EXECUTE` with the values. PostgreSQL plans it again by
    itself when a table it reads changes. This needs session pooling if a pooler sits in between: behind
    PgBouncer's transaction mode a connection may not hold what it prepared.
    """

    def __init__(self, name: str, statement: Select[Any] | TextClause | TextualSelect, prefix: str = "") -> None:
        """`prefix`: SQL run before each `EXECUTE`, in the same query string (planner settings)."""
        self.name = f"mltrace_{name}"
        self.statement = statement
        self.prefix = prefix
        self._postgresql: tuple[str, Executable] | None = None
        self._driver_calls: dict[str, _DriverCall] = {}

    def rows(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """The rows `execute(conn, params).all()` would give, as tuples, read straight from the driver's cursor:
        SQLAlchemy's result objects cost more than running a small statement (the trace of a prediction on
        SQLite: 150 µs through them, 45 µs on the cursor; medians of 500). Values are bound and read through the
        same types as `execute` does, and the driver's errors come out as SQLAlchemy's. The statement runs in the
        transaction the caller began, if any; it does not begin SQLAlchemy's own (SQLite reads run without one)."""
        dialect = conn.dialect
        call = self._driver_calls.get(dialect.name) or self._driver_call(dialect)
        if dialect.name == "postgresql":
            self._prepare_on(conn)
        cursor = _cursor(conn)
        try:
            cursor.execute(call.sql, call.parameters(params or {}))
            found: list[tuple[Any, ...]] = cursor.fetchall()
            readers = call.readers(dialect, cursor.description)
        except dialect.loaded_dbapi.Error as error:
            raise driver_error(conn, cursor, call.sql, error) from error
        finally:
            cursor.close()
        if readers is None:
            return found
        return [
            tuple(value if read is None else read(value) for read, value in zip(readers, row, strict=True))
            for row in found
        ]

    def _prepare_on(self, conn: Connection) -> None:
        prepare, _ = self._postgresql or self._compile(conn.dialect)
        prepared: set[str] = conn.connection.info.setdefault(_PREPARED_KEY, set())
        if self.name not in prepared:
            conn.exec_driver_sql(prepare)  # outlives a rollback: a prepared statement is not transactional
            prepared.add(self.name)

    def _driver_call(self, dialect: Dialect) -> _DriverCall:
        """The statement as the driver takes it: `EXECUTE` of the prepared statement on PostgreSQL, the statement
        compiled for SQLite's positional parameters there."""
        if dialect.name == "postgresql":
            _, execute = self._postgresql or self._compile(dialect)
            compiled = execute.compile(dialect=dialect)  # type: ignore[attr-defined]  # a TextClause
            names = list(compiled.binds)
            sql, positional = compiled.string, False
        else:
            compiled = self.statement.compile(dialect=dialect)
            names = list(compiled.positiontup or ())
            sql, positional = compiled.string, True
        if "POSTCOMPILE" in sql:
            raise ValueError(f"{self.name}: a parameter rendered at execution (expanding IN) cannot go to the driver")
        binds = tuple(
            (name, compiled.binds[name].value, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names
        )
        types = (
            [c.type for c in self.statement.selected_columns]
            if isinstance(self.statement, Select | TextualSelect)
            else []
        )
        call = _DriverCall(sql, binds, positional, types)
        self._driver_calls[dialect.name] = call
        return call

    def execute(self, conn: Connection, params: Mapping[str, Any] | None = None) -> CursorResult[Any]:
        """Runs the statement on `conn` with `params`, preparing it first on a connection that has not."""
        if conn.dialect.name != "postgresql":
            return conn.execute(self.statement, dict(params or {}))
        self._prepare_on(conn)
        assert self._postgresql is not None
        return conn.execute(self._postgresql[1], dict(params or {}))

    def _compile(self, dialect: Dialect) -> tuple[str, Executable]:
        """The `PREPARE` text, and an `EXECUTE` statement that binds and reads values as the original would."""
        compiled = self.statement.compile(dialect=dialect)
        names: list[str] = []

        def numbered(match: re.Match[str]) -> str:
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        body = _PLACEHOLDER.sub(numbered, compiled.string).replace("%%", "%")
        binds = [compiled.binds[name] for name in names]
        arguments = f"({', '.join(f':{name}' for name in names)})" if names else ""
        execute = text(f"{self.prefix}EXECUTE {self.name}{arguments}")
        execute = execute.bindparams(
            *(
                bindparam(name, value=bind.value, type_=bind.type)
                if bind.value is not None
                else bindparam(name, type_=bind.type)
                for name, bind in zip(names, binds, strict=True)
            )
        )
        executed: Executable = execute
        # the columns' types convert what is read, matched by position
        if isinstance(self.statement, Select | TextualSelect):
            types = [c.type for c in self.statement.selected_columns]
            executed = execute.columns(*(column(f"c{i}", type_) for i, type_ in enumerate(types)))
        self._postgresql = (f"PREPARE {self.name} AS {body}", executed)
        return self._postgresql


class _DriverCall:
    """A statement as the driver takes it: its SQL, how each parameter is made from the caller's values, and how
    each column read is converted (found with the first rows, from the driver's column types)."""

    def __init__(
        self,
        sql: str,
        binds: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...],
        positional: bool,
        column_types: list[Any],
    ) -> None:
        """`binds`: (name, default value, the type's conversion or None) of each parameter, in order."""
        self.sql = sql
        self._binds = binds
        self._positional = positional
        self._column_types = column_types
        self._readers: list[Callable[[Any], Any] | None] | None = None
        self._read = False

    def parameters(self, params: Mapping[str, Any]) -> list[Any] | dict[str, Any]:
        values = []
        for name, default, convert in self._binds:
            value = params.get(name, default)
            values.append(value if convert is None else convert(value))
        if self._positional:
            return values
        return {name: value for (name, _, _), value in zip(self._binds, values, strict=True)}

    def readers(self, dialect: Dialect, description: Sequence[Any] | None) -> list[Callable[[Any], Any] | None] | None:
        """Each column's conversion (None where there is none), or None when no column has one."""
        if not self._read:
            readers = [
                type_.dialect_impl(dialect).result_processor(dialect, column[1])
                for type_, column in zip(self._column_types, description or (), strict=False)
            ]
            self._readers = readers if any(readers) else None
            self._read = True
        return self._readers


# --- COPY out ---------------------------------------------------------------------------------------------


def copy_out_csv(conn: Connection, query: str, null: str = "\\N") -> bytes:
    """The result of `query` as CSV (`COPY (query) TO STDOUT WITH CSV`, NULL as `null`: `\\N` or empty), whole, for
    readers that parse CSV in C (pandas) or pass it on. COPY takes no parameters: callers put only integers they
    formatted into `query`."""
    if null not in ("\\N", ""):
        raise ValueError(f"NULL is written as \\N or as nothing, not {null!r}")
    statement = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, NULL '{null}')"
    buffer = io.BytesIO()
    cursor = _cursor(conn)
    try:
        cursor.copy_expert(statement, buffer)
    except conn.dialect.loaded_dbapi.Error as error:
        raise driver_error(conn, cursor, statement, error) from error
    finally:
        cursor.close()
    return buffer.getvalue()


@contextmanager
def snapshot_twin(conn: Connection, engine: Engine) -> Iterator[Connection]:
    """A connection of `engine` that sees exactly what `conn` sees (PostgreSQL's exported snapshot), so that one
    read can run on two connections, the database working on both at once. `conn` must be in a REPEATABLE READ
    transaction; the twin's transaction ends when the block does. Take the twin from another pool than `conn`'s
    (the query connections'): readers that each hold one connection of a pool and wait for a second from the
    same pool could wait on each other. (The CSV export of 100,000 runs of 20 values, a chunk on each in turn:
    31,700 runs/s on one connection, 52,600 on two; medians of 5, `python -m bench runs`.)"""
    snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    with engine.connect() as twin:
        twin = twin.execution_options(isolation_level="REPEATABLE READ")
        with twin.begin():
            twin.exec_driver_sql("SET TRANSACTION SNAPSHOT %(snapshot)s", {"snapshot": snapshot})
            yield twin


# --- COPY in ------------------------------------------------------------------------------------------------

NULL = "\\N"
"""How COPY's text format writes NULL."""

_SPECIAL_CHARS = re.compile(r"[\\\t\n\r]")
# Rows per piece of COPY text: PostgreSQL stores one piece while Python builds the next. Smaller pieces
# overlap more; each piece costs a few calls per column.
_PIECE_ROWS = 250


def copy_in(conn: Connection, table: Table, columns: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
    """Adds `rows` (tuples of the values of `columns`) to `table` by `COPY … FROM STDIN`, inside the caller's
    transaction. `rows` is consumed while the COPY runs: each piece of COPY text is built while PostgreSQL,
    another process, stores the one before (20,000 runs with a 2 kB code snapshot each: 6,700 runs/s, against
    6,400 building each batch's text first; medians of 3, in turn)."""
    stream = _CopyText([_converter(table, c) for c in columns], rows)
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    cursor = _cursor(conn)
    try:
        cursor.copy_expert(statement, stream)
    except conn.dialect.loaded_dbapi.Error as error:
        if stream.failure is not None:  # the driver reports it as a cancelled COPY: raise the cause instead
            raise stream.failure from None
        raise driver_error(conn, cursor, statement, error) from error
    finally:
        cursor.close()


class _CopyText:
    """A file the driver reads COPY text from, built a piece of rows at a time as it is read: psycopg2 sends
    each piece (releasing the GIL) and PostgreSQL stores it meanwhile."""

    def __init__(self, converters: list[Callable[[Any], str]], rows: Iterator[Sequence[Any]]) -> None:
        self._converters = converters
        self._rows = rows
        self.failure: Exception | None = None  # what stopped building the rows, if anything

    def read(self, size: int = -1) -> str:
        """The next piece of rows as COPY text; empty at the end (`size` is ignored: any length will do)."""
        try:
            return self._next_piece()
        except Exception as error:
            self.failure = error
            raise

    def _next_piece(self) -> str:
        piece = list(itertools.islice(self._rows, _PIECE_ROWS))
        if not piece:
            return ""
        columns = zip(*piece, strict=True)
        texts = [_column_text(convert, values) for convert, values in zip(self._converters, columns, strict=True)]
        return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def _column_text(convert: Callable[[Any], str], values: tuple[Any, ...]) -> Sequence[str]:
    """One column's values in COPY's text format; the common cases are checked once for the whole column."""
    kinds = set(map(type, values))
    if convert is _escaped and kinds == {str} and not _SPECIAL_CHARS.search("".join(values)):
        return values  # plain text: nothing to escape
    if len(kinds) == 1 and not any(values):  # one empty value throughout: no errors, no params, …
        empty = values[0]
        return [NULL if empty is None else convert(empty)] * len(values)
    if type(None) in kinds:
        return [NULL if value is None else convert(value) for value in values]
    return list(map(convert, values))


def _converter(table: Table, column_name: str) -> Callable[[Any], str]:
    """How one column's values are written in COPY's text format."""
    column_type = table.c[column_name].type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, JSON):
        return _json_text
    if isinstance(column_type, DateTime):
        return _time_text
    python_type = column_type.python_type
    if python_type is bool:
        return _bool_text
    if python_type in (int, float):
        return str
    return _escaped


def _bool_text(value: Any) -> str:
    return "t" if value else "f"


def _escaped(value: Any) -> str:
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:  # four `str.replace`, not `str.translate`:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text  # for a 1.4 kB code snapshot, 3.6 µs against 101 µs (translate maps character by character)


def _json_text(value: Any) -> str:
    if not value and type(value) in EMPTY_JSON:
        return EMPTY_JSON[type(value)]  # the common case, without json.dumps
    return _escaped(json.dumps(value, ensure_ascii=False, allow_nan=False))


# A batch writes each run's start and end twice: in the run's row, then in its input and output rows. The
# cache holds the times of a whole batch of the writer (two per run, MLTRACE_BATCH_SIZE runs).
@functools.lru_cache(maxsize=16384)
def _time_text(value: datetime) -> str:
    return utc(value).isoformat()


# --- the driver's errors ------------------------------------------------------------------------------------


def _cursor(conn: Connection) -> Any:
    dbapi_connection = conn.connection.dbapi_connection
    assert dbapi_connection is not None
    return dbapi_connection.cursor()


def driver_error(conn: Connection, cursor: Any, statement: str, error: Any) -> StatementError:
    """A driver error (of either database) raised outside SQLAlchemy's own execution, as SQLAlchemy would have
    raised it: marked `connection_invalidated`, and the pool's connections dropped, when the connection was lost."""
    dbapi_connection = conn.connection.dbapi_connection
    lost = conn.dialect.is_disconnect(error, dbapi_connection, cursor) or bool(getattr(dbapi_connection, "closed", 0))
    if lost:
        conn.invalidate(error)
        conn.engine.dispose(close=False)  # the server likely closed the pool's other connections too
    dbapi_error = conn.dialect.loaded_dbapi.Error
    return DBAPIError.instance(statement, None, error, dbapi_error, connection_invalidated=lost, dialect=conn.dialect)
