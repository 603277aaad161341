"""`GET /health`: the server is up and its database answers."""

from __future__ import annotations

import logging

import mltrace
from mltrace.server.api import Blueprint, get_client
from mltrace.server.errors import ApiError
from mltrace.server.schemas import HealthSchema

log = logging.getLogger("mltrace.server")
blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Liveness and database reachability.")


@blp.route("/health", methods=["GET"])
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="The database cannot be reached.")
@blp.doc(security=[])  # open even when the server requires tokens (server/auth.py)
def health() -> dict[str, str]:
    """Server version and database kind; 503 when the database does not answer."""
    client = get_client()
    try:
        client.ping()
    except Exception as exc:
        log.warning("Health check: database unreachable: %s", exc)
        raise ApiError(503, "internal", "The database cannot be reached.") from None
    return {"status": "ok", "version": mltrace.__version__, "database": client.dialect}
