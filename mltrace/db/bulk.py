"""Inserts many rows at once: COPY on PostgreSQL, batched multi-row INSERTs elsewhere."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Table, insert
from sqlalchemy.types import TypeDecorator

_NULL = r"\N"
_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Adds `rows` (dicts with the same keys) to `table` inside the caller's transaction."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    converters = [(c, _converter(table, c)) for c in columns]
    lines = ["\t".join(_NULL if row[c] is None else convert(row[c]) for c, convert in converters) for row in rows]
    buffer = io.StringIO("\n".join(lines) + "\n")
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.copy_expert(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN", buffer)
    finally:
        cursor.close()


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
    if not value:
        return "[]" if isinstance(value, list) else ("{}" if isinstance(value, dict) else _escaped(json.dumps(value)))
    return _escaped(json.dumps(value, ensure_ascii=False, allow_nan=False))


def _time_text(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
