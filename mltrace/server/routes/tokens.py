"""`/tokens`: create, list and revoke API tokens (admin scope, see `server.auth`)."""

from __future__ import annotations

from typing import Any

from mltrace.entities.access import ApiToken
from mltrace.server import auth
from mltrace.server.access_schemas import TokenCreateBody, TokenCreatedSchema, TokenListSchema, TokenSchema
from mltrace.server.api import Blueprint, get_client, link_to
from mltrace.server.schemas import Extended

blp = Blueprint("tokens", __name__, url_prefix="/api/v1", description="API tokens (admin scope).")


@blp.route("/tokens", methods=["GET"])
@blp.response(200, TokenListSchema)
def list_tokens() -> dict[str, Any]:
    """Every token, revoked and expired ones too (never their secrets)."""
    return {"tokens": get_client().tokens()}


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenCreateBody)
@blp.response(201, TokenCreatedSchema)
@blp.alt_response(409, response="CONFLICT", description="A token of that name exists and is not revoked.")
@blp.doc(
    responses={201: {"links": {"revoke": link_to("DELETE", "/api/v1/tokens/{name}", name="$response.body#/name")}}}
)
def create_token(body: dict[str, Any]) -> Extended:
    """Creates a token and answers it with its secret, `token`, shown this once."""
    token, secret = get_client().create_token(body["name"], body["scope"], body.get("expires"))
    return Extended(token, token=secret)


@blp.route("/tokens/<string:name>", methods=["DELETE"])
@blp.response(200, TokenSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No token of that name, or it is revoked already.")
def revoke_token(name: str) -> ApiToken:
    """Revokes a token: this worker refuses it at once, the others within MLTRACE_AUTH_CACHE_SECONDS."""
    token = get_client().revoke_token(name)
    auth.forget_tokens()
    return token
