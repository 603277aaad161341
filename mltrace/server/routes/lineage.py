"""OpenLineage in and out: events posted by any OpenLineage client (one, or a batch reported per item), and a run
as OpenLineage events."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import request

from mltrace.lineage.openlineage import event_problems
from mltrace.server.api import Blueprint, get_client, parse_run_id
from mltrace.server.errors import ApiError, bad_request, describe
from mltrace.server.limits import current_limits
from mltrace.server.openlineage_schemas import (
    BatchResultSchema,
    OpenLineageEventSchema,
    RunEventsSchema,
    StoredEventSchema,
)

blp = Blueprint("lineage", __name__, url_prefix="/api/v1", description="OpenLineage events in and out.")

_BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "items": {"description": "An OpenLineage event (an object); anything else is refused in its report."},
                "description": "OpenLineage events, each checked on its own.",
            }
        }
    },
}


@blp.route("/lineage", methods=["POST"])
@blp.arguments(OpenLineageEventSchema)
@blp.response(201, StoredEventSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="Malformed JSON, or not an OpenLineage event.")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="The database cannot be reached; send again.")
@blp.alt_response(413, response=HTTPStatus(413).name, description="More bytes than the server takes at once.")
def post_event(event: dict[str, Any]) -> dict[str, Any]:
    """Stores one OpenLineage RunEvent, JobEvent or DatasetEvent (where an OpenLineage client's HTTP transport
    sends them), and (re)builds the run of its runId from all that run's events."""
    return get_client().ingest_openlineage([event])[0]


@blp.route("/lineage/batch", methods=["POST"])
@blp.doc(requestBody=_BATCH_BODY)
@blp.response(200, BatchResultSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="Malformed JSON, or not an array.")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="The database cannot be reached; send again.")
@blp.alt_response(413, response=HTTPStatus(413).name, description="More events or bytes than the server takes.")
def post_batch() -> dict[str, Any]:
    """Stores the valid events of an array in one transaction and reports on each: 201 stored, 400 refused with
    the error shape (a refused event changes nothing)."""
    body = request.get_json(silent=True)
    if body is None:
        raise bad_request("Invalid JSON body.")
    if not isinstance(body, list):
        raise bad_request("The body must be a JSON array of OpenLineage events.")
    most = current_limits().max_runs_per_post
    if len(body) > most:
        raise ApiError(
            413,
            "too_large",
            f"{len(body)} events in one request; at most {most} are taken: send them in smaller batches.",
            {"events": len(body), "max_events_per_post": most},
        )
    results: list[dict[str, Any]] = [{"index": i} for i in range(len(body))]
    valid = []
    for item, event in zip(results, body, strict=True):
        problems = event_problems(event)
        if problems:
            item.update(status=400, run_id=None, duplicate=False, error=_error(problems))
        else:
            valid.append((item, event))
    stored = get_client().ingest_openlineage([event for _, event in valid]) if valid else []
    for (item, _), outcome in zip(valid, stored, strict=True):
        item.update(status=201, error=None, **outcome)
    return {"stored": len(valid), "refused": len(body) - len(valid), "results": results}


@blp.route("/runs/<run_id:run_id>/openlineage", methods=["GET"])
@blp.response(200, RunEventsSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="The run id is not an integer.")
@blp.alt_response(404, response="NOT_FOUND")
def run_events(run_id: str) -> dict[str, Any]:
    """One run as OpenLineage RunEvents: START at its start, then COMPLETE or FAIL at its end."""
    return {"events": get_client().openlineage_events(parse_run_id(run_id))}


def _error(problems: dict[str, Any]) -> dict[str, Any]:
    return {"code": "validation_error", "message": describe(problems), "details": problems}
