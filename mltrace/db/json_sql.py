"""SQL that builds JSON values, spelled for PostgreSQL and for SQLite.

A run's JSON columns, inputs, outputs and upstream ids come back as one JSON value per run, so a
list of runs is one statement with one row per run, and one value to decode per run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

EMPTY_JSON: dict[type, str] = {list: "[]", tuple: "[]", dict: "{}"}
"""The JSON text of the empty values most runs carry (no params, no tags…): written without `json.dumps`."""


class JsonRows(FunctionElement[Any]):
    """An aggregate: the group's rows as a JSON array of arrays of the given columns; NULL for no rows."""

    name = "json_rows"
    inherit_cache = True
    type = JSON()


class JsonArray(FunctionElement[Any]):
    """A JSON array of JSON values (JSON columns, `JsonRows` subqueries); SQL NULL becomes null."""

    name = "json_array_of"
    inherit_cache = True
    type = JSON()


@compiles(JsonRows, "postgresql")
def _json_agg(element: JsonRows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(JsonRows)
def _json_group_array(element: JsonRows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(JsonArray, "postgresql")
def _json_build_array(element: JsonArray, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_array({compiler.process(element.clauses, **kw)})"


@compiles(JsonArray)
def _json_array(element: JsonArray, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps JSON as text, each value already valid JSON: joined as text, not parsed again by json() (which
    # json_array needs, or it would quote them as strings): inspect of a run of 202 pointers, 230 µs -> 200 µs
    values = " || ',' || ".join(f"coalesce({compiler.process(value, **kw)}, 'null')" for value in element.clauses)
    return f"('[' || {values} || ']')"
