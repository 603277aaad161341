"""`/audit`: the audit trail, newest first, cursor-paginated (read scope)."""

from __future__ import annotations

from typing import Any

from mltrace.server.access_schemas import AuditArgs, AuditPageSchema
from mltrace.server.api import Blueprint, get_client, link_to, links

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Who changed what, and when.")


@blp.route("/audit", methods=["GET"])
@blp.arguments(AuditArgs, location="query")
@blp.response(200, AuditPageSchema)
@blp.doc(**links(next_page=link_to("GET", "/api/v1/audit", before="$response.body#/next")))
def audit(args: dict[str, Any]) -> dict[str, Any]:
    """Recorded writes (flags, notes, tags, clean, tokens), newest first; pass `next` back as `before` for the
    following page; `run_id` or `output_id` keep one run's or one output's history."""
    limit = args["limit"]
    entries = get_client().audit(
        limit + 1, args.get("before"), args.get("since"), args.get("run_id"), args.get("output_id")
    )
    page = entries[:limit]
    return {"entries": page, "next": page[-1] if len(entries) > limit else None}
