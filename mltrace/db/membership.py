"""`column IN <list>` with the whole list as one bound value, on SQLite and PostgreSQL.

SQLAlchemy's expanding IN renders one placeholder per value: for the thousand-id lists of ingest and
lineage queries that costs more than running the statement. Here the list travels as one parameter:
an array on PostgreSQL (`column = ANY(%(ids)s)`), a JSON text on SQLite (`IN (SELECT value FROM json_each(?))`).
`looked_up_in` has PostgreSQL find each value through the column's index instead (`IN (SELECT unnest(...))`).
Lists of ids can also be a row source to join on (`id_rows`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Boolean, ColumnElement, Dialect, Integer, String, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator


class ValueList(TypeDecorator[Sequence[Any]]):
    """Ints or strings bound as one parameter: PostgreSQL array text (`{1,2}`, `{"a","b"}`), which psycopg2
    sends as it is (adapting a list costs it about a microsecond per element), JSON text for SQLite."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Sequence[Any] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return array_text(value)
        return json.dumps(list(value))


def array_text(values: Sequence[Any]) -> str:
    """PostgreSQL's text form of an array of ints or strings."""
    if all(type(v) is int for v in values):
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


class MemberOf(ColumnElement[bool]):
    """True when the column's value is in the list bound to `values`."""

    inherit_cache = True
    type = Boolean()
    # a condition in itself: SQLAlchemy would otherwise write `… = 1` on SQLite (no boolean type), which SQLite
    # cannot look up through an index (it read every run to find one)
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], values: BindParameter[Any]) -> None:
        self.column = column
        self.values = values


def member_of(column: ColumnElement[Any], name: str) -> MemberOf:
    """`column` is one of the values of the list passed as parameter `name` at execution."""
    return MemberOf(column, bindparam(name, type_=ValueList()))


class LookedUpIn(MemberOf):
    """True when the column's value is in the list bound to `values`, each value found through the column's
    index on PostgreSQL (with hash joins off, `postgres.prefer_index_walks`)."""

    inherit_cache = True


def looked_up_in(column: ColumnElement[Any], name: str) -> LookedUpIn:
    """`member_of` for a list of values to look up one by one in `column`'s index: PostgreSQL scans the whole
    table for `= ANY(list)` as long as it estimates that cheaper than a thousand index lookups, which on
    tables of up to some hundred thousand rows costs more than anything else in a batch's ingest."""
    return LookedUpIn(column, bindparam(name, type_=ValueList()))


def id_rows(dialect: str, name: str) -> str:
    """SQL text of a FROM item `<name>(id)`: a row per id of the list parameter `name` (bind it with `ValueList`).

    Joined on a table's key, with hash and merge joins off (`postgres.prefer_index_walks`), each id is one
    index lookup, however many rows the planner expects: `= ANY(list)` on a table with a few runs of
    many rows (the predictions) makes PostgreSQL scan the whole table.
    """
    if dialect == "postgresql":
        return f"unnest(CAST(:{name} AS INTEGER[])) AS {name}(id)"
    return f"(SELECT value AS id FROM json_each(:{name})) AS {name}"


@compiles(MemberOf)
def _compile_json_each(element: MemberOf, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.values, **kw)}))"


@compiles(LookedUpIn, "postgresql")
def _compile_unnest(element: LookedUpIn, compiler: SQLCompiler, **kw: Any) -> str:
    array_type = "INTEGER[]" if isinstance(element.column.type, Integer) else "TEXT[]"
    values = compiler.process(element.values, **kw)
    return f"{compiler.process(element.column, **kw)} IN (SELECT unnest(CAST({values} AS {array_type})))"


@compiles(MemberOf, "postgresql")
def _compile_any(element: MemberOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.values, **kw)})"
