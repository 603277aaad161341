"""Component runs: recent (cursor-paginated), inspect, notes, late params and metrics, step series and batch
ingest."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from mltrace.entities import ComponentRun
from mltrace.server.api import Blueprint, get_client, link_to, links, parse_run_id
from mltrace.server.schemas import (
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
    """Newest runs first; pass `next` back as `before` for the following page. With `ids`: those runs, whole
    (`before` and `limit` are then ignored)."""
    client = get_client()
    if "ids" in args:
        return {"runs": with_suspect_marks(client.runs(args["ids"])), "next": None}
    limit = args["limit"]
    runs = client.recent(limit + 1, args.get("before"))
    page = runs[:limit]
    return {"runs": with_suspect_marks(page), "next": page[-1] if len(runs) > limit else None}


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
