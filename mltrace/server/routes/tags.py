"""Tags: every tag in use, and the components carrying one with their recent runs."""

from __future__ import annotations

from typing import Any

from mltrace.errors import NotFoundError
from mltrace.server.api import Blueprint, get_client, link_to, links
from mltrace.server.schemas import Extended, TagComponentsSchema, TagListSchema

RECENT_RUNS = 5
blp = Blueprint("tags", __name__, url_prefix="/api/v1", description="Component tags.")


@blp.route("/tags", methods=["GET"])
@blp.response(200, TagListSchema)
@blp.doc(**links(components=link_to("GET", "/api/v1/tags/{tag}/components", tag="$response.body#/tags/0")))
def list_tags() -> dict[str, Any]:
    """Every tag in use, sorted."""
    return {"tags": get_client().tags()}


@blp.route("/tags/<anypath:tag>/components", methods=["GET"])
@blp.response(200, TagComponentsSchema)
@blp.alt_response(404, response="NOT_FOUND")
def tagged_components(tag: str) -> dict[str, Any]:
    """The components with this tag, each with its 5 most recent runs; 404 for a tag no component has."""
    client = get_client()
    components = client.components(tag=tag)
    if not components:
        raise NotFoundError(f"Tag '{tag}' not found.")
    return {
        "tag": tag,
        "components": [Extended(c, recent_runs=client.history(c.name, RECENT_RUNS)) for c in components],
    }
