"""`/impact`: the runs and endpoint outputs downstream of an output or a run, and flagging those outputs."""

from __future__ import annotations

from typing import Any

from mltrace.entities.impact import Impact
from mltrace.server.api import Blueprint, get_client, link_to, links
from mltrace.server.impact_schemas import ImpactArgs, ImpactFlagBody, ImpactFlagResultSchema, ImpactSchema

blp = Blueprint("impact", __name__, url_prefix="/api/v1", description="The blast radius of a bad output or run.")


@blp.route("/impact", methods=["GET"])
@blp.arguments(ImpactArgs, location="query")
@blp.response(200, ImpactSchema)
@blp.alt_response(404, response="NOT_FOUND", description="The output or run is unknown.")
@blp.doc(
    **links(
        inspect=link_to("GET", "/api/v1/runs/{run_id}", run_id="$response.body#/outputs/0/run_id"),
        trace=link_to("GET", "/api/v1/trace", output_id="$response.body#/outputs/0/output_id"),
    )
)
def impact(args: dict[str, Any]) -> Impact:
    """Affected runs per component and the endpoint outputs they wrote: counts always exact, the newest listed."""
    return get_client().impact(args["id"], args.get("since"), args.get("until"), args["limit"])


@blp.route("/impact/flags", methods=["POST"])
@blp.arguments(ImpactFlagBody)
@blp.response(200, ImpactFlagResultSchema)
@blp.alt_response(404, response="NOT_FOUND", description="The output or run is unknown.")
@blp.doc(**links(review=link_to("GET", "/api/v1/review")))
def flag_impact(body: dict[str, Any]) -> dict[str, int]:
    """Flags every endpoint output of the impact not flagged yet, in one transaction (repeating it flags none)."""
    client = get_client()
    return {"flagged": client.flag_impact(body["id"], body.get("reason"), body.get("since"), body.get("until"))}
