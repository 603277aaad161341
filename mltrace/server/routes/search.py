"""`GET /search`: completions for the console's command bar."""

from __future__ import annotations

from typing import Any

from mltrace.server.api import Blueprint, get_client
from mltrace.server.schemas import SearchArgs, SearchSchema

blp = Blueprint("search", __name__, url_prefix="/api/v1", description="Command-bar completion.")


@blp.route("/search", methods=["GET"])
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchSchema)
def search(args: dict[str, Any]) -> dict[str, Any]:
    """Component names, run ids, output ids and tags containing `q`."""
    return {"results": get_client().search(args["q"], args["limit"])}
