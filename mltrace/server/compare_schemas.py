"""The JSON shapes of `GET /compare`: its query arguments and runs side by side, row by row, with their series."""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from mltrace.entities.comparison import (
    DEFAULT_POINTS,
    GROUPS,
    MAX_COMPARED,
    MAX_POINTS,
    MIN_COMPARED,
    Comparison,
    RunSeries,
)
from mltrace.entities.json_values import json_number
from mltrace.entities.limits import RUN_STATUSES
from mltrace.server.schemas import JsonData, QueryArgs, UtcDateTime

COMPARE_IDS_PATTERN = f"^[0-9]{{1,10}}(,[0-9]{{1,10}}){{{MIN_COMPARED - 1},{MAX_COMPARED - 1}}}$"
_COMPARE_IDS = re.compile(COMPARE_IDS_PATTERN)
_IDS_RULE = f"{MIN_COMPARED} to {MAX_COMPARED} distinct run ids, comma-separated (`12,15,18`)"


class CompareIds(fields.String):
    """The runs to compare: comma-separated ids, loaded as a list of distinct integers in the order given (a
    repeated id counts once, so `5,5` is one run: too few)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": COMPARE_IDS_PATTERN, "description": f"{_IDS_RULE}; a repeated id counts once."}
        super().__init__(required=True, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[int]:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _COMPARE_IDS.fullmatch(text):
            raise ma.ValidationError(f"Not {_IDS_RULE}.")
        distinct = list(dict.fromkeys(int(part) for part in text.split(",")))
        if len(distinct) < MIN_COMPARED:
            raise ma.ValidationError(f"Not {_IDS_RULE}: {len(distinct)} distinct.")
        return distinct


class CompareArgs(QueryArgs):
    ids = CompareIds()
    points = fields.Integer(
        load_default=DEFAULT_POINTS,
        validate=validate.Range(2, MAX_POINTS),
        metadata={"description": f"At most this many points per step series (2–{MAX_POINTS}), evenly spaced."},
    )


class ComparedRunSchema(ma.Schema):
    """A compared run's column header."""

    id = fields.Integer()
    component = fields.String(attribute="component_name")
    status = fields.String(validate=validate.OneOf(RUN_STATUSES))
    start = UtcDateTime(attribute="start_timestamp")
    end = UtcDateTime(attribute="end_timestamp")
    duration_ms = fields.Float(allow_none=True)


class CompareRowSchema(ma.Schema):
    group = fields.String(validate=validate.OneOf(GROUPS))
    key = fields.String(metadata={"description": "The param, metric, fact or input name."})
    differs = fields.Boolean(metadata={"description": "Not every run has the same value."})
    values = fields.List(
        JsonData(),
        metadata={
            "description": "One per run, in the order of `runs`; null where a run has none. An input's value is "
            "its value hash, true when it was read without one."
        },
    )


def _numbers(description: str, item_type: str) -> fields.Raw:
    """A list of numbers passed through as it is (a series holds thousands: a field per item costs too much)."""
    return fields.Raw(metadata={"type": "array", "items": {"type": item_type}, "description": description})


class RunSeriesSchema(ma.Schema):
    run_id = fields.Integer()
    count = fields.Integer(metadata={"description": "Points the run stored (more than listed when sampled)."})
    steps = _numbers("The steps listed, ascending.", "integer")
    values = fields.Raw(
        metadata={
            "type": "array",
            "items": {"oneOf": [{"type": "number"}, {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}]},
            "description": 'The value at each step; NaN and ±Infinity as the strings "NaN", "Infinity".',
        }
    )

    @ma.pre_dump
    def _finite_values(self, series: RunSeries, **kwargs: Any) -> dict[str, Any]:
        return {
            "run_id": series.run_id,
            "count": series.count,
            "steps": series.steps,
            "values": [json_number(v) for v in series.values],
        }


class StepMetricSchema(ma.Schema):
    key = fields.String()
    runs = fields.List(fields.Nested(RunSeriesSchema), metadata={"description": "In the order of `runs`."})


class ComparisonSchema(ma.Schema):
    runs = fields.List(fields.Nested(ComparedRunSchema), metadata={"description": "In the order asked."})
    differing = fields.Integer(metadata={"description": "How many rows differ (they come first)."})
    rows = fields.List(
        fields.Nested(CompareRowSchema),
        metadata={"description": "Differing rows first, then by group (params, metrics, run, inputs) and key."},
    )
    series = fields.List(fields.Nested(StepMetricSchema), metadata={"description": "Step metrics, by key."})

    @ma.pre_dump
    def _counted(self, comparison: Comparison, **kwargs: Any) -> dict[str, Any]:
        return {
            "runs": comparison.runs,
            "differing": comparison.differing,
            "rows": comparison.rows,
            "series": comparison.series,
        }
