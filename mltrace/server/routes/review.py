"""`GET /review`: the runs most likely behind the flagged outputs."""

from __future__ import annotations

from typing import Any

from mltrace.server.api import Blueprint, get_client
from mltrace.server.schemas import ReviewArgs, ReviewSchema, ranked

blp = Blueprint("review", __name__, url_prefix="/api/v1", description="Debugging flagged outputs.")


@blp.route("/review", methods=["GET"])
@blp.arguments(ReviewArgs, location="query")
@blp.response(200, ReviewSchema)
def review(args: dict[str, Any]) -> dict[str, Any]:
    """Flagged outputs, and runs ranked by suspicion with count, coverage and score."""
    result = get_client().review(args["limit"], args["offset"])
    return {"flagged": result["flagged"], "runs": [ranked(*entry) for entry in result["runs"]]}
