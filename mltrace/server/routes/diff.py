"""`GET /diff`: what differs between the upstream traces of two outputs, the likely cause first."""

from __future__ import annotations

from typing import Any

from mltrace.lineage.trace_diff import TraceDiff
from mltrace.server.api import Blueprint, get_client
from mltrace.server.diff_schemas import DiffArgs, DiffSchema

blp = Blueprint("diff", __name__, url_prefix="/api/v1", description="Comparing the lineage of two outputs.")


@blp.route("/diff", methods=["GET"])
@blp.arguments(DiffArgs, location="query")
@blp.response(200, DiffSchema)
@blp.alt_response(404, response="NOT_FOUND", description="Output `a` or `b` is unknown.")
def diff(args: dict[str, Any]) -> TraceDiff:
    """The two traces aligned run by run, and what differs between paired runs, ranked: the most upstream
    difference first, an input explained by an upstream difference after every unexplained one."""
    return get_client().diff(args["a"], args["b"])
