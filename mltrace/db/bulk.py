"""Inserts many rows at once: COPY on PostgreSQL, the driver's executemany on SQLite."""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Table, func, insert, select, text
from sqlalchemy.types import TypeDecorator

from mltrace.entities.times import utc

_NULL = r"\N"
_SPECIAL_CHARS = re.compile(r"[\\\t\n\r]")
_EMPTY_JSON: dict[type, str] = {list: "[]", tuple: "[]", dict: "{}"}
# Rows per piece of COPY text: PostgreSQL stores one piece while Python builds the next. Smaller pieces
# overlap more; each piece costs a few calls per column.
_PIECE_ROWS = 250

Row = Sequence[Any]


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """Adds `rows` (each a tuple of the values of `columns`) to `table` inside the caller's transaction.

    `rows` may be a generator: on PostgreSQL it is consumed while the COPY runs, so building the rows
    overlaps with the server storing the ones already sent.
    """
    remaining = iter(rows)
    first = next(remaining, None)
    if first is None:
        return
    if conn.dialect.name == "postgresql":
        _copy(conn, table, columns, itertools.chain([first], remaining))
    elif conn.dialect.name == "sqlite":
        _executemany(conn, table, columns, [first, *remaining])
    else:
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in [first, *remaining]])


def _copy(conn: Connection, table: Table, columns: Sequence[str], rows: Iterator[Row]) -> None:
    stream = _CopyText([_converter(table, c) for c in columns], rows)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN", stream)
    except Exception:
        if stream.failure is not None:  # the driver reports it as a cancelled COPY: raise the cause instead
            raise stream.failure from None
        raise
    finally:
        cursor.close()


class _CopyText:
    """A file the driver reads COPY text from, built a piece of rows at a time as it is read: psycopg2
    sends each piece (releasing the GIL) and PostgreSQL, another process, stores it meanwhile."""

    def __init__(self, converters: list[Callable[[Any], str]], rows: Iterator[Row]) -> None:
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


def _executemany(conn: Connection, table: Table, columns: Sequence[str], rows: list[Row]) -> None:
    """One prepared INSERT run by the driver for every row, values converted as SQLAlchemy would."""
    by_column = zip(columns, zip(*rows, strict=True), strict=True)
    converted = [_bind_values(conn, table, column, values) for column, values in by_column]
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    conn.exec_driver_sql(statement, list(zip(*converted, strict=True)))


def _bind_values(conn: Connection, table: Table, column: str, values: tuple[Any, ...]) -> Sequence[Any]:
    """One column's values as the driver takes them."""
    process = table.c[column].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    if process is None:
        return values
    if isinstance(table.c[column].type, JSON):  # the common empty value without json.dumps
        return [
            _EMPTY_JSON[type(v)] if not v and type(v) in _EMPTY_JSON else None if v is None else process(v)
            for v in values
        ]
    return [None if v is None else process(v) for v in values]


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """`count` new ids for `table`'s integer primary key `id`, so that rows can be inserted with their ids
    known (no read-back). Callers hold `lock_for_writes`, which on SQLite is the database's write lock."""
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":  # one block: only lock holders take ids from these sequences
        last = conn.execute(_RESERVE_BLOCK, {"table": table.name, "count": count}).scalar_one()
    else:
        last = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one() + count
    return list(range(last - count + 1, last + 1))


_RESERVE_BLOCK = text(
    "SELECT setval(pg_get_serial_sequence(:table, 'id'), nextval(pg_get_serial_sequence(:table, 'id')) + :count - 1)"
)


def _column_text(convert: Callable[[Any], str], values: tuple[Any, ...]) -> Sequence[str]:
    """One column's values in COPY's text format; the common cases are checked once for the whole column."""
    kinds = set(map(type, values))
    if convert is _escaped and kinds == {str} and not _SPECIAL_CHARS.search("".join(values)):
        return values  # plain text: nothing to escape
    if len(kinds) == 1 and not any(values):  # one empty value throughout: no errors, no params, …
        empty = values[0]
        return [_NULL if empty is None else convert(empty)] * len(values)
    if type(None) in kinds:
        return [_NULL if value is None else convert(value) for value in values]
    return list(map(convert, values))


def _converter(table: Table, column: str) -> Callable[[Any], str]:
    """How one column's values are written in COPY's text format."""
    column_type = table.c[column].type
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
    """COPY's text escapes: backslash first, then tab, newline and carriage return. Four `str.replace`, not
    one `str.translate`: for a 1.4 kB code snapshot, 3.6 µs against 101 µs (translate maps char by char)."""
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _json_text(value: Any) -> str:
    if not value and type(value) in _EMPTY_JSON:
        return _EMPTY_JSON[type(value)]  # the common case, without json.dumps
    return _escaped(json.dumps(value, ensure_ascii=False, allow_nan=False))


# A batch writes each run's start and end twice: in the run's row, then in its input and output rows. The
# cache holds the times of a whole batch of the writer (two per run, MLTRACE_BATCH_SIZE runs).
@functools.lru_cache(maxsize=16384)
def _time_text(value: datetime) -> str:
    return utc(value).isoformat()
