"""Rows streamed out of PostgreSQL by `COPY … TO STDOUT`, each handed over as soon as it arrives.

With `fetchall` the client waits for the whole result before it can read the first row. COPY sends the
rows while the server is still producing them, so the client turns rows into objects on its own core
while the server works out the next ones. For a trace of a thousand runs this hides most of the
client's share. COPY takes no parameters, so callers put only integers they formatted into the query.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

NULL = "\\N"
"""How COPY's text format writes NULL."""

_ESCAPED = re.compile(r"\\(.)")
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def copy_text(field: str) -> str | None:
    """The text a field of COPY's text format stands for (None for NULL)."""
    if field == NULL:
        return None
    if "\\" not in field:
        return field
    return _ESCAPED.sub(lambda match: _ESCAPES.get(match.group(1), match.group(1)), field)


class _RowSink(io.TextIOBase):
    """What psycopg2 writes COPY's data to: it calls `write` once per row, as the row arrives."""

    def __init__(self, write: Callable[[str], object]) -> None:
        super().__init__()
        self.write = write  # type: ignore[method-assign,assignment]  # called as it is: no method in between


def copy_out(conn: Connection, query: str, consume: Callable[[str], object], prefix: str = "") -> None:
    """Runs `COPY (query) TO STDOUT` on `conn` (PostgreSQL) and calls `consume` with each row while the
    server produces the next ones. A row is a line of COPY's text format: fields separated by tabs (`NULL`,
    `copy_text`), then a newline.

    `prefix`: SQL run first in the same round trip (planner settings). A driver error comes out as
    SQLAlchemy's, marked `connection_invalidated` when the server had closed the connection, so that
    `Store` runs the query once more as it does for any other. If `consume` raises, the connection, still
    in the middle of the COPY, is closed instead of going back to the pool.
    """
    dbapi_connection = conn.connection.dbapi_connection
    assert dbapi_connection is not None
    statement = f"{prefix}COPY ({query}) TO STDOUT"
    cursor = dbapi_connection.cursor()
    try:
        try:
            cursor.copy_expert(statement, _RowSink(consume))
        except conn.dialect.loaded_dbapi.Error as error:
            lost = conn.dialect.is_disconnect(error, dbapi_connection, cursor)
            if lost:
                conn.invalidate(error)
                conn.engine.dispose(close=False)  # the server likely closed the pool's other connections too
            dbapi_error = conn.dialect.loaded_dbapi.Error
            raise DBAPIError.instance(
                statement, None, error, dbapi_error, connection_invalidated=lost, dialect=conn.dialect
            ) from error
        except BaseException:  # `consume` failed: the rest of the rows is still on its way, the connection unusable
            conn.invalidate()
            raise
    finally:
        cursor.close()
