"""Component runs: recent (cursor-paginated), inspect, notes, late params and metrics, step series and batch
ingest."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, stream_with_context

from mltrace.entities import ComponentRun
from mltrace.errors import FilterError
from mltrace.exports.writers import MEDIA_TYPES
from mltrace.query.filter_grammar import parse_filter, parse_order
from mltrace.server.api import Blueprint, get_client, link_to, links, parse_run_id
from mltrace.server.errors import ApiError
from mltrace.server.schemas import (
    ExportArgs,
    Extended,
    IngestBody,
    IngestResultSchema,
    NotesBody,
    RecentArgs,
    RunDetailSchema,
    RunPageSchema,
    RunSchema,
    SeriesArgs,
    SeriesSchema,
    ValuesBody,
)

blp = Blueprint("runs", __name__, url_prefix="/api/v1", description="Component runs.")


@blp.route("/runs", methods=["GET"])
@blp.arguments(RecentArgs, location="query")
@blp.response(200, RunPageSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="Invalid arguments, or a filter that cannot be read.")
@blp.doc(
    **links(
        inspect=link_to("GET", "/api/v1/runs/{run_id}", run_id="$response.body#/runs/0/id"),
        notes=link_to("PUT", "/api/v1/runs/{run_id}/notes", run_id="$response.body#/runs/0/id"),
        set_values=link_to("PATCH", "/api/v1/runs/{run_id}", run_id="$response.body#/runs/0/id"),
        series=link_to("GET", "/api/v1/runs/{run_id}/series", run_id="$response.body#/runs/0/id"),
        history=link_to("GET", "/api/v1/components/{name}/runs", name="$response.body#/runs/0/component"),
        next_page=link_to("GET", "/api/v1/runs", before="$response.body#/next"),
        trace=link_to("GET", "/api/v1/trace", output_id="$response.body#/runs/0/outputs/0/name"),
        flag=link_to("PUT", "/api/v1/flags/{output_id}", output_id="$response.body#/runs/0/outputs/0/name"),
        changes=link_to("GET", "/api/v1/audit", run_id="$response.body#/runs/0/id"),
    )
)
def recent(args: dict[str, Any]) -> dict[str, Any]:
    """Newest runs first, or the runs `where` selects in the order of `order_by`; pass `next` back as `before`
    for the following page. With `ids`: those runs, whole (`before`, `limit`, `where` and `order_by` are then
    ignored). A filter that cannot be read is a 400 `validation_error` naming its column."""
    client = get_client()
    if "ids" in args:
        return {"runs": with_suspect_marks(client.runs(args["ids"])), "next": None}
    limit = args["limit"]
    if args.get("where") or args.get("order_by"):
        where, order_by = checked_filter(args)
        runs = client.search_runs(where, order_by, limit + 1, args.get("before"))
    else:
        runs = client.recent(limit + 1, args.get("before"))
    page = runs[:limit]
    return {"runs": with_suspect_marks(page), "next": page[-1] if len(runs) > limit else None}


def checked_filter(args: dict[str, Any]) -> tuple[str, str]:
    """`where` and `order_by` of the arguments, read once to answer 400 for one that cannot be read: the message
    names the argument and the column, `details.<argument>` has `column` and `reason`."""
    where, order_by = args.get("where") or "", args.get("order_by") or ""
    for name, text, parse in (("where", where, parse_filter), ("order_by", order_by, parse_order)):
        try:
            parse(text)
        except FilterError as error:
            details = {name: {"column": error.column, "reason": error.reason}}
            message = f"Invalid {name} at column {error.column}: {error.reason}{error.near}"
            raise ApiError(400, "validation_error", message, details) from None
    return where, order_by


@blp.route("/runs/export", methods=["GET"])
@blp.arguments(ExportArgs, location="query")
@blp.response(200, description="The runs as CSV (`text/csv`) or as a JSON array (`application/json`), streamed.")
@blp.alt_response(400, response="BAD_REQUEST", description="Invalid arguments, or a filter that cannot be read.")
@blp.doc(
    responses={
        "200": {
            "description": "The runs as CSV (`text/csv`) or as a JSON array (`application/json`), streamed.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    }
)
def export(args: dict[str, Any]) -> Response:
    """The runs `where` selects (newest first, or in the order of `order_by`) as a table, one row per run: its
    attributes, its component's tags, a column per param and per metric (`params.<key>`, `metrics.<key>`), its
    counts of inputs and outputs. Streamed as the runs are read: the filter is checked before the first byte."""
    where, order_by = checked_filter(args)
    fmt = args["format"]
    chunks = get_client().export_text(fmt, where, args.get("component"), args.get("limit"), order_by)
    response = Response(stream_with_context(chunks), mimetype=MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = MEDIA_TYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="runs.{fmt}"'
    return response


def with_suspect_marks(runs: list[ComponentRun]) -> list[Extended]:
    """The runs with their suspect marks, found for all of them at once."""
    marks = get_client().suspicions([run.id for run in runs if run.id is not None])
    return [Extended(run, suspect=marks[run.id].run if run.id in marks else ()) for run in runs]


@blp.route("/runs", methods=["POST"])
@blp.arguments(IngestBody)
@blp.response(200, IngestResultSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="Some runs cannot be stored: `details.runs` names them.")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="The database cannot be reached; send again.")
@blp.alt_response(413, response=HTTPStatus(413).name, description="More runs or bytes than the server takes at once.")
def ingest(body: dict[str, Any]) -> dict[str, int]:
    """Stores a batch of captured runs (all or nothing); runs already stored (same key) are skipped.

    A run that cannot be stored is refused with 400 and named in `details.runs.<position>`, and nothing is
    stored; a client sends the others again. 503 when the database cannot be reached."""
    return {"ingested": len(get_client().ingest(body["runs"]))}


@blp.route("/runs/<run_id:run_id>", methods=["GET"])
@blp.response(200, RunDetailSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="The run id is not an integer.")
@blp.alt_response(404, response="NOT_FOUND")
def inspect(run_id: str) -> Extended:
    """One run with its code snapshot and its component (and, for a `cached` run, the run it reused)."""
    client = get_client()
    run = client.get_run(parse_run_id(run_id))
    marks = client.suspicions([run.id]) if run.id is not None else {}
    extra: dict[str, Any] = {
        "component_info": client.component(run.component_name),
        "suspect": marks[run.id].run if run.id in marks else (),
    }
    if run.status == "cached" and run.id is not None:
        extra["reused_run_id"] = client.reused_runs([run.id]).get(run.id)
    return Extended(run, **extra)


@blp.route("/runs/<run_id:run_id>/notes", methods=["PUT"])
@blp.arguments(NotesBody)
@blp.response(200, RunSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(**links(changes=link_to("GET", "/api/v1/audit", run_id="$response.body#/id")))
def set_notes(body: dict[str, str], run_id: str) -> ComponentRun:
    """Replaces a run's notes; answers the updated run."""
    return get_client().set_notes(parse_run_id(run_id), body["notes"])


@blp.route("/runs/<run_id:run_id>", methods=["PATCH"])
@blp.arguments(ValuesBody)
@blp.response(200, RunSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="A value is not a number, a string or a boolean.")
@blp.alt_response(404, response="NOT_FOUND")
def set_values(body: dict[str, Any], run_id: str) -> ComponentRun:
    """Adds or replaces params and metrics of a stored run (a test accuracy known only later), in one transaction;
    values not named are kept. Answers the updated run."""
    return get_client().set_values(parse_run_id(run_id), body["params"], body["metrics"])


@blp.route("/runs/<run_id:run_id>/series", methods=["GET"])
@blp.arguments(SeriesArgs, location="query")
@blp.response(200, SeriesSchema)
@blp.alt_response(400, response="BAD_REQUEST", description="The run id is not an integer.")
@blp.alt_response(404, response="NOT_FOUND")
def series(args: dict[str, Any], run_id: str) -> dict[str, Any]:
    """The step series the run logged (`log_metrics(..., step=N)`), by metric, each ordered by step; `key` (repeated)
    keeps only those metrics. A run without series answers `{}`."""
    found = parse_run_id(run_id)
    return {"run_id": found, "series": get_client().series(found, args.get("key"))}
