"""Statements that PostgreSQL plans once per connection (`PREPARE`, then `EXECUTE`).

Planning a listing costs PostgreSQL more than running it (about 0.4 ms against 0.05 ms for a page of a
component's history), and psycopg2 has no prepared statements of its own. A `Prepared` statement is
prepared the first time a pooled connection runs it; later runs send only `EXECUTE` with the values.
PostgreSQL plans it again by itself when a table it reads changes. On SQLite it runs as it is.

Session-level prepared statements need session pooling: behind a pooler in transaction mode (PgBouncer's
default) a connection may not hold what it prepared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, CursorResult, Dialect, Executable, Select, TextClause, bindparam, column, text

_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s")
_PREPARED_KEY = "mltrace_prepared"


class Prepared:
    """A select (or text) statement run as a PostgreSQL prepared statement named `name`."""

    def __init__(self, name: str, statement: Select[Any] | TextClause, prefix: str = "") -> None:
        """`prefix`: SQL run before each `EXECUTE`, in the same query string (planner settings)."""
        self.name = f"mltrace_{name}"
        self.statement = statement
        self.prefix = prefix
        self._postgresql: tuple[str, Executable] | None = None

    def execute(self, conn: Connection, params: Mapping[str, Any] | None = None) -> CursorResult[Any]:
        """Runs the statement on `conn` with `params`, preparing it first on a connection that has not."""
        if conn.dialect.name != "postgresql":
            return conn.execute(self.statement, dict(params or {}))
        prepare, execute = self._postgresql or self._compile(conn.dialect)
        prepared: set[str] = conn.connection.info.setdefault(_PREPARED_KEY, set())
        if self.name not in prepared:
            conn.exec_driver_sql(prepare)  # outlives a rollback: a prepared statement is not transactional
            prepared.add(self.name)
        return conn.execute(execute, dict(params or {}))

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
        if isinstance(self.statement, Select):  # the columns' types convert what is read, matched by position
            types = [c.type for c in self.statement.selected_columns]
            executed = execute.columns(*(column(f"c{i}", type_) for i, type_ in enumerate(types)))
        self._postgresql = (f"PREPARE {self.name} AS {body}", executed)
        return self._postgresql
