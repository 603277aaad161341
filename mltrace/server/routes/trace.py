"""`GET /trace`: the lineage graph of an output, upstream or downstream."""

from __future__ import annotations

from typing import Any

from mltrace.server.api import Blueprint, get_client
from mltrace.server.schemas import TraceArgs, TraceSchema

blp = Blueprint("trace", __name__, url_prefix="/api/v1", description="Lineage graphs.")


@blp.route("/trace", methods=["GET"])
@blp.arguments(TraceArgs, location="query")
@blp.response(200, TraceSchema)
@blp.alt_response(404, response="NOT_FOUND", description="The output (or `run_id`) is unknown.")
def trace(args: dict[str, Any]) -> dict[str, Any]:
    """Runs and pointers the output came from (upstream) or fed (downstream); `depth` counts runs."""
    return get_client().trace(args["output_id"], args["direction"], args.get("depth"), args.get("run_id"))
