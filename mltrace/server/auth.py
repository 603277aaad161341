"""Who may call what: the scope each route needs (one rule for every route, present and future), the check of each
request's bearer token against it, and the short-lived cache of checked tokens.

The rule: the console's files, `GET /api/v1/health` and the OpenAPI document are open; routes under an admin
prefix need `admin`; any other route needs `read` for GET, HEAD and OPTIONS and `write` for every other method. A
route added later is covered by the same rule; one that must be admin is named in `ADMIN_PREFIXES`.
"""

from __future__ import annotations

import contextvars
import ipaddress
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, g, request

from mltrace.client import Client
from mltrace.entities.access import ANONYMOUS, ApiToken, hash_secret, reset_actor, scope_allows, set_actor
from mltrace.entities.times import now_utc
from mltrace.server.errors import error_response

if TYPE_CHECKING:
    from flask_smorest import Api

EXTENSION = "mltrace.auth"
API_PREFIX = "/api/"
PUBLIC_RULES = frozenset({"/api/v1/health", "/api/v1/openapi.json"})
ADMIN_PREFIXES = ("/api/v1/tokens", "/api/v1/clean", "/api/v1/prune")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_CACHED = 4096  # tokens a worker remembers; past it the cache starts afresh
SCHEME = "bearerAuth"


def required_scope(method: str, rule: str) -> str | None:
    """The scope a request of `method` to the route `rule` (or path) needs; None when it is open to anyone."""
    if not rule.startswith(API_PREFIX) or rule in PUBLIC_RULES:
        return None
    if any(rule == prefix or rule.startswith(prefix + "/") for prefix in ADMIN_PREFIXES):
        return "admin"
    return "read" if method.upper() in SAFE_METHODS else "write"


@dataclass
class TokenCache:
    """Tokens checked recently, by the hash of their text (unknown ones too), each trusted for `ttl` seconds: so a
    query pays one database lookup per token and `ttl`, and a revocation made by another worker is seen within
    `ttl`."""

    lookup: Callable[[str], ApiToken | None]
    ttl: float
    clock: Callable[[], float] = time.monotonic
    _entries: dict[str, tuple[ApiToken | None, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, secret: str) -> ApiToken | None:
        """The stored token of this text (maybe revoked or expired), or None."""
        key = hash_secret(secret)
        now = self.clock()
        hit = self._entries.get(key)
        if hit is not None and now - hit[1] < self.ttl:
            return hit[0]
        token = self.lookup(secret)
        with self._lock:
            if len(self._entries) >= MAX_CACHED:
                self._entries.clear()
            self._entries[key] = (token, now)
        return token

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass(frozen=True)
class AuthSettings:
    required: bool
    cache: TokenCache


def install(app: Flask, client: Client, required: bool, ttl: float) -> None:
    """Checks every request of `app` against `required_scope` when `required`; records each request's writes as
    made by its token's name (`anonymous` when tokens are not required)."""
    app.extensions[EXTENSION] = AuthSettings(required, TokenCache(client.token_for, ttl))
    app.before_request(check_request)
    app.teardown_request(forget_actor)


def forget_tokens() -> None:
    """Makes this worker look every token up again (after a revocation)."""
    current_app.extensions[EXTENSION].cache.clear()


def bearer_token() -> str | None:
    """The request's `Authorization: Bearer <token>`, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def check_request() -> Response | None:
    """401 without a valid token, 403 with too small a scope (when tokens are required); else sets the actor."""
    settings: AuthSettings = current_app.extensions[EXTENSION]
    if not request.path.startswith(API_PREFIX):
        return None
    if not settings.required:
        _act_as(ANONYMOUS)
        return None
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    needed = required_scope(request.method, rule)
    if needed is None:
        return None
    secret = bearer_token()
    if secret is None:
        return _refuse(401, "unauthorized", "This server requires an API token: send Authorization: Bearer <token>.")
    token = settings.cache.get(secret)
    if token is None or not token.usable_at(now_utc()):
        return _refuse(401, "unauthorized", "The API token is unknown, revoked or expired.")
    if not scope_allows(token.scope, needed):
        message = f"The token {token.name!r} has the {token.scope} scope; {request.method} {rule} needs {needed}."
        return _refuse(403, "forbidden", message, {"scope": token.scope, "needed": needed})
    _act_as(token.name)
    return None


def _refuse(status: int, code: str, message: str, details: dict[str, str] | None = None) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="mltrace"'} if status == 401 else None
    return error_response(status, code, message, details, headers)


def _act_as(name: str) -> None:
    g.mltrace_actor = set_actor(name)


def forget_actor(_exc: BaseException | None = None) -> None:
    """The request's writes are done: the actor goes back to what it was."""
    token: contextvars.Token[str] | None = g.pop("mltrace_actor", None)
    if token is not None:
        try:
            reset_actor(token)
        except ValueError:  # set in another context (never in Flask's own request cycle)
            pass


def document_security(api: Api) -> None:
    """States in the OpenAPI document that every operation needs a bearer token, health excepted (whose route
    says so itself)."""
    api.spec.components.security_scheme(SCHEME, {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{SCHEME: []}]


def is_loopback(host: str) -> bool:
    """Whether `host` (an address or name to bind) only takes connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
