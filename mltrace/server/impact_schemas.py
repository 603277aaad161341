"""The JSON shapes of impact: its query arguments, the body that flags its outputs, and its answers."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from mltrace.entities import PointerType
from mltrace.entities.impact import Impact
from mltrace.server.schemas import Extended, QueryArgs, Text, Timestamp, UtcDateTime, _limit

# `run:N` (N of 1 to 10 digits), or any other non-empty text without NUL that does not start with `run:`; written
# without lookahead, which not every JSON Schema tool reads.
SELECTOR_PATTERN = (
    "^(run:[0-9]{1,10}|[^r\\u0000][^\\u0000]*|r([^u\\u0000][^\\u0000]*)?"
    "|ru([^n\\u0000][^\\u0000]*)?|run([^:\\u0000][^\\u0000]*)?)$"
)
SELECTOR_RULE = (
    "`run:N` names run N (the run and every run downstream of it); any other text is an output id (every run that "
    "read it and every run downstream of those). Text starting with `run:` must be `run:` and 1 to 10 digits."
)


def _selector() -> Text:
    return Text(
        required=True,
        min_chars=1,
        validate=validate.Regexp(SELECTOR_PATTERN, error="Not an output id or run:N."),
        metadata={"pattern": SELECTOR_PATTERN, "description": SELECTOR_RULE},
    )


_SINCE = "Only runs that started at or after this time (ISO 8601; naive is UTC)."
_UNTIL = "Only runs that started before this time (ISO 8601; naive is UTC)."


class ImpactArgs(QueryArgs):
    id = _selector()
    since = Timestamp(metadata={"description": _SINCE})
    until = Timestamp(metadata={"description": _UNTIL})
    limit = _limit(20)


class ImpactFlagBody(ma.Schema):
    id = _selector()
    since = Timestamp(metadata={"description": _SINCE})
    until = Timestamp(metadata={"description": _UNTIL})
    reason = Text(allow_none=True, load_default=None, metadata={"description": "Kept with each new flag."})


class AffectedComponentSchema(ma.Schema):
    name = fields.String()
    runs = fields.Integer(metadata={"description": "Affected runs of this component."})


class AffectedOutputSchema(ma.Schema):
    output_id = fields.String(attribute="name")
    type = fields.Enum(PointerType, by_value=True, attribute="pointer_type")
    flagged = fields.Boolean()
    run_id = fields.Integer(metadata={"description": "The latest affected run that wrote it."})
    component = fields.String()
    time = UtcDateTime(metadata={"description": "When that run started."})


class ImpactSchema(ma.Schema):
    runs = fields.Integer(metadata={"description": "Affected runs (those downstream, started within the bounds)."})
    components = fields.List(
        fields.Nested(AffectedComponentSchema), metadata={"description": "Most runs first, then by name."}
    )
    endpoints = fields.Integer(
        metadata={"description": "Endpoint outputs the affected runs wrote: of the endpoint type, or read by no run."}
    )
    flagged = fields.Integer(metadata={"description": "How many of those are flagged."})
    outputs = fields.List(
        fields.Nested(AffectedOutputSchema),
        metadata={"description": "The `limit` newest endpoint outputs, by when their latest affected writer started."},
    )

    @ma.pre_dump
    def _component_list(self, impact: Impact, **kwargs: Any) -> Extended:
        """The components as a list, each with its run count."""
        listed = [{"name": name, "runs": runs} for name, runs in impact.components.items()]
        return Extended(impact, runs=impact.runs, components=listed)


class ImpactFlagResultSchema(ma.Schema):
    flagged = fields.Integer(
        metadata={"description": "How many endpoint outputs this request flagged (0 when all were)."}
    )
