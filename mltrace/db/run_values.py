"""Params and metrics as typed rows (`run_params`, `run_metrics`) beside the JSON of each run, so that runs can
be filtered and ordered by a value through an index.

One rule decides how a value is typed: `typed_value`. Numbers go to `num` (NaN as NULL, so that no comparison
matches it; ±Infinity as themselves), booleans to `num` as 0/1, strings to `text`, anything else (lists, dicts)
to `text` as JSON. The strings "NaN", "Infinity" and "-Infinity" are numbers: they are how strict JSON carries
non-finite floats (`entities.json_values.strict_json`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from mltrace.db.bulk import bulk_insert
from mltrace.db.models import run_metric_steps, run_metrics, run_params
from mltrace.entities import ComponentRun
from mltrace.entities.json_values import strict_json
from mltrace.entities.series import last_values

NUMBER, BOOL, STRING, JSON_TEXT = "number", "bool", "string", "json"
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
VALUE_COLUMNS = ("run_id", "key", "kind", "num", "text")
STEP_COLUMNS = ("run_id", "key", "step", "num", "ts")


def typed_value(value: Any) -> tuple[str, float | None, str | None]:
    """(kind, num, text) of one param or metric value as stored in the value tables."""
    if isinstance(value, bool):
        return BOOL, float(value), None
    if isinstance(value, (int, float)):
        number = float(value)
        return NUMBER, None if math.isnan(number) else number, None
    if isinstance(value, str):
        if value in _NON_FINITE:
            number = _NON_FINITE[value]
            return NUMBER, None if math.isnan(number) else number, None
        return STRING, None, value
    return JSON_TEXT, None, json.dumps(value, sort_keys=True)


def python_value(kind: str, num: float | None, text: str | None) -> Any:
    """The value `typed_value` stored, as Python: NaN and ±Infinity as floats."""
    if kind == NUMBER:
        if num is None:
            return math.nan
        return int(num) if num.is_integer() and abs(num) < 2**53 else num
    if kind == BOOL:
        return bool(num)
    if kind == JSON_TEXT:
        return json.loads(text or "null")
    return text


def value_rows(run_id: int, values: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of one run's params or metrics (each a tuple of VALUE_COLUMNS), their text made storable as in the
    run's JSON (`strict_json`: a NUL, which PostgreSQL cannot hold, as an escape)."""
    for key, value in strict_json(values).items():
        yield (run_id, key, *typed_value(value))


def with_series_values(record: ComponentRun) -> ComponentRun:
    """The run with each step series' last value as its value of that metric (what ingest stores)."""
    if not record.series:
        return record
    return dataclasses.replace(record, metrics={**record.metrics, **last_values(record.series)})


def store_run_values(conn: Connection, records: Sequence[ComponentRun], run_ids: Sequence[int]) -> None:
    """Writes the params, metrics and step series of newly stored runs to the value tables (ingest's transaction;
    `records` have been through `with_series_values`)."""
    pairs = list(zip(records, run_ids, strict=True))
    tables: tuple[tuple[Table, str], ...] = ((run_params, "params"), (run_metrics, "metrics"))
    for table, field in tables:
        rows = (row for record, run_id in pairs for row in value_rows(run_id, getattr(record, field) or {}))
        bulk_insert(conn, table, VALUE_COLUMNS, rows)
    steps = (
        (run_id, key, point.step, None if math.isnan(point.value) else point.value, point.logged)
        for record, run_id in pairs
        for key, points in record.series.items()
        for point in points
    )
    bulk_insert(conn, run_metric_steps, STEP_COLUMNS, steps)
