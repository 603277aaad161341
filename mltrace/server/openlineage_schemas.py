"""The JSON shapes of the OpenLineage routes: an event (spec 2-0-x: RunEvent, JobEvent or DatasetEvent; facets of
any kind kept), the batch's per-item report, and a run as events."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from mltrace.lineage.openlineage import EVENT_TYPES, event_problems

_FACETS = "Facets by name; any facet is kept as it is, the ones mltrace maps are checked."


class OpenLineageEventSchema(ma.Schema):
    """An OpenLineage event: `run` and `job` make a RunEvent, `job` alone a JobEvent, `dataset` a DatasetEvent."""

    class Meta:
        unknown = ma.INCLUDE

    eventTime = fields.String(required=True, metadata={"description": "ISO 8601 date-time with a time"})  # noqa: N815
    producer = fields.String(required=True)
    schemaURL = fields.String(required=True)  # noqa: N815
    eventType = fields.String(validate=validate.OneOf(EVENT_TYPES), allow_none=True)  # noqa: N815
    run = fields.Dict(metadata={"description": "`{runId: UUID, facets}`. " + _FACETS})
    job = fields.Dict(metadata={"description": "`{namespace, name, facets}`. " + _FACETS})
    inputs = fields.List(fields.Dict(), allow_none=True, metadata={"description": "`[{namespace, name, facets}]`"})
    outputs = fields.List(fields.Dict(), allow_none=True, metadata={"description": "`[{namespace, name, facets}]`"})
    dataset = fields.Dict(metadata={"description": "A DatasetEvent's `{namespace, name, facets}`."})

    @ma.validates_schema(pass_original=True)
    def _is_an_event(self, _data: Any, original: Any, **kwargs: Any) -> None:
        problems = event_problems(original)
        if problems:
            raise ma.ValidationError(problems)


class StoredEventSchema(ma.Schema):
    run_id = fields.Integer(
        allow_none=True, metadata={"description": "The mltrace run of the event's runId (null for Job/DatasetEvents)"}
    )
    duplicate = fields.Boolean(metadata={"description": "The same event was stored before (and counted once)"})


class BatchItemSchema(StoredEventSchema):
    index = fields.Integer()
    status = fields.Integer(metadata={"description": "201 stored, 400 refused (see `error`)"})
    error = fields.Dict(allow_none=True, metadata={"description": "`{code, message, details}` of a refused event"})


class BatchResultSchema(ma.Schema):
    stored = fields.Integer()
    refused = fields.Integer()
    results = fields.List(fields.Nested(BatchItemSchema))


class RunEventsSchema(ma.Schema):
    events = fields.List(fields.Dict(), metadata={"description": "START, then COMPLETE or FAIL (RunEvents)"})
