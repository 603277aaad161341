"""`GET /compare`: runs side by side, what differs first, with their step series for charts."""

from __future__ import annotations

from typing import Any

from mltrace.entities.comparison import Comparison
from mltrace.server.api import Blueprint, get_client, link_to, links
from mltrace.server.compare_schemas import CompareArgs, ComparisonSchema

blp = Blueprint("compare", __name__, url_prefix="/api/v1", description="Runs side by side.")


@blp.route("/compare", methods=["GET"])
@blp.arguments(CompareArgs, location="query")
@blp.response(200, ComparisonSchema)
@blp.alt_response(404, response="NOT_FOUND", description="A run is unknown (the message names every one).")
@blp.doc(
    **links(
        inspect=link_to("GET", "/api/v1/runs/{run_id}", run_id="$response.body#/runs/0/id"),
        history=link_to("GET", "/api/v1/components/{name}/runs", name="$response.body#/runs/0/component"),
    )
)
def compare(args: dict[str, Any]) -> Comparison:
    """Params, metrics, run facts (component, status, code hash, git commit, duration) and inputs' versions of 2
    to 50 runs, a row each with a value per run, differing rows first; and each step metric's series per run."""
    return get_client().compare(args["ids"], args["points"])
