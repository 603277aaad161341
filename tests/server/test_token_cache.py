"""The cache of checked tokens: one lookup per token and period, unknown tokens too, and a fresh look after it."""

from __future__ import annotations

from datetime import datetime, timezone

from mltrace.entities.access import ApiToken
from mltrace.server.auth import TokenCache, is_loopback, required_scope

TOKEN = ApiToken("alice", "read", datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_a_checked_token_is_looked_up_again_only_after_the_period() -> None:
    now = [0.0]
    asked: list[str] = []
    cache = TokenCache(lambda secret: asked.append(secret) or (TOKEN if secret == "good" else None), 10, lambda: now[0])
    assert cache.get("good") is TOKEN and cache.get("good") is TOKEN
    assert cache.get("bad") is None and cache.get("bad") is None
    assert asked == ["good", "bad"]
    now[0] = 9.9
    cache.get("good")
    assert asked == ["good", "bad"]
    now[0] = 10.0
    cache.get("good")
    assert asked == ["good", "bad", "good"]
    cache.clear()
    cache.get("good")
    assert asked[-1] == "good" and len(asked) == 4


def test_the_scope_rule() -> None:
    assert required_scope("GET", "/api/v1/health") is None
    assert required_scope("GET", "/assets/index.js") is None
    assert required_scope("GET", "/api/v1/runs") == "read"
    assert required_scope("HEAD", "/api/v1/runs") == "read"
    assert required_scope("PUT", "/api/v1/flags/<anypath:output_id>") == "write"
    assert required_scope("POST", "/api/v1/lineage/batch") == "write"
    assert required_scope("GET", "/api/v1/tokens") == "admin"
    assert required_scope("DELETE", "/api/v1/tokens/<string:name>") == "admin"
    assert required_scope("POST", "/api/v1/prune") == "admin"
    assert required_scope("GET", "/api/v1/tokensmith") == "read"  # a prefix is a whole path segment


def test_which_addresses_are_loopback() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.5", "example.com"))
