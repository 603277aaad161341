"""Inserts many rows at once: COPY on PostgreSQL, the driver's executemany on SQLite."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, func, insert, select, text

from mltrace.db.json_sql import EMPTY_JSON
from mltrace.db.postgres import copy_in

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
        copy_in(conn, table, columns, itertools.chain([first], remaining))
    elif conn.dialect.name == "sqlite":
        _executemany(conn, table, columns, [first, *remaining])
    else:
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in [first, *remaining]])


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
            EMPTY_JSON[type(v)] if not v and type(v) in EMPTY_JSON else None if v is None else process(v)
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
