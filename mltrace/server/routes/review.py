"""`GET /review`: the runs most likely behind the flagged outputs."""

from __future__ import annotations

from typing import Any

from mltrace.server.api import Blueprint, get_client, link_to, links
from mltrace.server.schemas import ReviewArgs, ReviewSchema, ranked

blp = Blueprint("review", __name__, url_prefix="/api/v1", description="Debugging flagged outputs.")


@blp.route("/review", methods=["GET"])
@blp.arguments(ReviewArgs, location="query")
@blp.response(200, ReviewSchema)
@blp.doc(
    **links(
        inspect=link_to("GET", "/api/v1/runs/{run_id}", run_id="$response.body#/runs/0/id"),
        trace=link_to("GET", "/api/v1/trace", output_id="$response.body#/flagged/0"),
    )
)
def review(args: dict[str, Any]) -> dict[str, Any]:
    """Flagged outputs, and runs ranked by suspicion with count, coverage and score."""
    result = get_client().review(args["limit"], args["offset"])
    return {"flagged": result["flagged"], "runs": [ranked(*entry) for entry in result["runs"]]}
