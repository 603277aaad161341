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
    # SQLite keeps JSON as text: json() makes each value JSON again, or it would be quoted as a string
    values = ", ".join(f"json({compiler.process(value, **kw)})" for value in element.clauses)
    return f"json_array({values})"
