"""Flags: mark outputs as bad, clear them, list them."""

from __future__ import annotations

from typing import Any

from mltrace.entities import IOPointer
from mltrace.server.api import Blueprint, get_client, link_to, links
from mltrace.server.schemas import FlagBody, FlagListSchema, PointerSchema

blp = Blueprint("flags", __name__, url_prefix="/api/v1", description="Flagged outputs.")


@blp.route("/flags", methods=["GET"])
@blp.response(200, FlagListSchema)
@blp.doc(
    **links(
        unflag=link_to("DELETE", "/api/v1/flags/{output_id}", output_id="$response.body#/flags/0/output_id"),
        trace=link_to("GET", "/api/v1/trace", output_id="$response.body#/flags/0/output_id"),
    )
)
def list_flags() -> dict[str, Any]:
    """Every flagged output, most recently flagged first."""
    return {"flags": get_client().flags()}


@blp.route("/flags/<anypath:output_id>", methods=["PUT"])
@blp.arguments(FlagBody, required=False)
@blp.response(200, PointerSchema)
@blp.alt_response(404, response="NOT_FOUND", description="The output was never logged.")
@blp.doc(
    **links(
        unflag=link_to("DELETE", "/api/v1/flags/{output_id}", output_id="$response.body#/name"),
        trace=link_to("GET", "/api/v1/trace", output_id="$response.body#/name"),
        changes=link_to("GET", "/api/v1/audit", output_id="$response.body#/name"),
    )
)
def flag(body: dict[str, Any], output_id: str) -> IOPointer:
    """Flags an output as bad (percent-encode the id); the body and its reason are optional."""
    return get_client().flag(output_id, body.get("reason"))


@blp.route("/flags/<anypath:output_id>", methods=["DELETE"])
@blp.response(200, PointerSchema)
@blp.alt_response(404, response="NOT_FOUND", description="The output was never logged.")
def unflag(output_id: str) -> IOPointer:
    """Clears an output's flag; succeeds when it was not flagged."""
    return get_client().unflag(output_id)
