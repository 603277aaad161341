"""Components: the list (by tag and owner), one component, and its run history."""

from __future__ import annotations

from typing import Any

from mltrace.entities import Component
from mltrace.server.api import Blueprint, get_client, link_to, links
from mltrace.server.schemas import ComponentFilterArgs, ComponentListSchema, ComponentSchema, HistoryArgs, HistorySchema

blp = Blueprint("components", __name__, url_prefix="/api/v1", description="Pipeline components.")


@blp.route("/components", methods=["GET"])
@blp.arguments(ComponentFilterArgs, location="query")
@blp.response(200, ComponentListSchema)
@blp.doc(
    **links(
        component=link_to("GET", "/api/v1/components/{name}", name="$response.body#/components/0/name"),
        history=link_to("GET", "/api/v1/components/{name}/runs", name="$response.body#/components/0/name"),
    )
)
def list_components(args: dict[str, Any]) -> dict[str, Any]:
    """Every component by name, optionally only those with a tag and/or an owner."""
    return {"components": get_client().components(args.get("tag") or None, args.get("owner") or None)}


@blp.route("/components/<anypath:name>", methods=["GET"])
@blp.response(200, ComponentSchema)
@blp.alt_response(404, response="NOT_FOUND")
def component(name: str) -> Component:
    """One component's owner, description and tags."""
    return get_client().component(name)


@blp.route("/components/<anypath:name>/runs", methods=["GET"])
@blp.arguments(HistoryArgs, location="query")
@blp.response(200, HistorySchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.doc(
    **links(
        compare=link_to(
            "GET", "/api/v1/compare", ids="{$response.body#/runs/0/id},{$response.body#/runs/1/id}"
        ),  # the newest two runs side by side
    )
)
def history(args: dict[str, Any], name: str) -> dict[str, Any]:
    """A component's runs, newest first; `since` inclusive, `until` exclusive (on start time); pass `next` back
    as `before` for the following page."""
    limit = args["limit"]
    runs = get_client().history(name, limit + 1, args.get("since"), args.get("until"), args.get("before"))
    page = runs[:limit]
    return {"component": name, "runs": page, "next": page[-1] if len(runs) > limit else None}
