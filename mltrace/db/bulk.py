"""Inserts many rows at once: COPY on PostgreSQL, the driver's executemany on SQLite."""

from __future__ import annotations

import functools
import io
import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Table, func, insert, select, text
from sqlalchemy.types import TypeDecorator

_NULL = r"\N"
_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL_CHARS = re.compile(r"[\\\t\n\r]")
_EMPTY_JSON: dict[type, str] = {list: "[]", dict: "{}"}


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Adds `rows` (dicts with the same keys) to `table` inside the caller's transaction."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        _executemany(conn, table, rows)
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    texts = [_column_text(table, column, [row[column] for row in rows]) for column in columns]
    buffer = io.StringIO("\n".join(map("\t".join, zip(*texts, strict=True))) + "\n")
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN", buffer)
    finally:
        cursor.close()


def _executemany(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One prepared INSERT run by the driver for every row, values converted as SQLAlchemy would."""
    columns = list(rows[0])
    params: list[list[Any]] = [[] for _ in rows]
    for column in columns:
        process = table.c[column].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        is_json = isinstance(table.c[column].type, JSON)
        for values, row in zip(params, rows, strict=True):
            value = row[column]
            if is_json and not value and type(value) in _EMPTY_JSON:
                values.append(_EMPTY_JSON[type(value)])  # the common case, without json.dumps
            else:
                values.append(process(value) if process is not None and value is not None else value)
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    conn.exec_driver_sql(statement, [tuple(v) for v in params])


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


def _column_text(table: Table, column: str, values: list[Any]) -> list[str]:
    """One column's values in COPY's text format."""
    convert = _converter(table, column)
    if convert is _escaped and all(type(v) is str for v in values) and not _SPECIAL_CHARS.search("".join(values)):
        return values  # plain text, the common case: nothing to escape, checked once for the column
    if None in values:
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
        return lambda value: "t" if value else "f"
    if python_type in (int, float):
        return str
    return _escaped


def _escaped(value: Any) -> str:
    text = str(value)
    return text.translate(_SPECIAL) if ("\\" in text or "\t" in text or "\n" in text or "\r" in text) else text


def _json_text(value: Any) -> str:
    if not value and type(value) in _EMPTY_JSON:
        return _EMPTY_JSON[type(value)]  # the common case, without json.dumps
    return _escaped(json.dumps(value, ensure_ascii=False, allow_nan=False))


@functools.lru_cache(maxsize=8192)  # a batch writes each run's start and end twice (run row, its IO rows)
def _time_text(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
