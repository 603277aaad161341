"""With MLTRACE_AUTH=required, every route of the OpenAPI document × {no token, read, write, admin, revoked,
expired} answers as the scope rule says: 401 without a valid token, 403 with too small a scope, both in the
error shape. The routes come from the app's own document, so a route added later is in the matrix."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mltrace.client import Client
from mltrace.server.app import create_app
from mltrace.server.auth import required_scope
from tests.server.auth_fixtures import Tokens, make_tokens
from tests.server.sample import assert_error

KINDS = ("none", "read", "write", "admin", "revoked", "expired")
RANK = {"read": 0, "write": 1, "admin": 2}
PARAMETERS = {"run_id": "1", "output_id": "pred%2F1", "name": "nobody", "tag": "t", "hash": "0" * 64}


def expected_scope(method: str, path: str) -> str | None:
    """What the issue asks, written out here independently of `server.auth`: health is open, tokens are admin,
    reading is `read`, anything else is `write`."""
    if path == "/api/v1/health":
        return None
    if path.startswith("/api/v1/tokens"):
        return "admin"
    return "read" if method == "get" else "write"


@pytest.fixture
def locked(db_uri: str, mltrace_home: Any) -> tuple[Flask, Tokens]:
    app = create_app({"DB_URI": db_uri, "TESTING": True, "MLTRACE_AUTH": "required"})
    return app, make_tokens(app.extensions["mltrace"])


def operations(api: FlaskClient) -> list[tuple[str, str]]:
    spec = api.get("/api/v1/openapi.json").get_json()
    return [(method, path) for path, ops in spec["paths"].items() for method in ops if method != "parameters"]


def test_every_route_and_token_answers_as_the_scope_rule_says(locked: tuple[Flask, Tokens]) -> None:
    app, tokens = locked
    api = app.test_client()
    ops = operations(api)
    assert len(ops) >= 25
    for method, path in ops:
        url = re.sub(r"\{(\w+)\}", lambda m: PARAMETERS[m.group(1)], path)
        needed = expected_scope(method, path)
        for kind in KINDS:
            body = {} if method in ("post", "put") else None
            answer = api.open(url, method=method.upper(), json=body, headers=tokens.header(kind))
            where = f"{method.upper()} {path} with {kind}: {answer.status_code} {answer.get_data(as_text=True)[:200]}"
            if needed is None:
                assert answer.status_code not in (401, 403), where
            elif kind in ("none", "revoked", "expired"):
                assert_error(answer, 401, "unauthorized")
                assert answer.headers["WWW-Authenticate"].startswith("Bearer"), where
            elif RANK[kind] < RANK[needed]:
                error = assert_error(answer, 403, "forbidden")
                assert error["details"] == {"scope": kind, "needed": needed}, where
            else:
                assert answer.status_code not in (401, 403), where
                assert answer.status_code < 500, where


def test_every_api_route_of_the_app_is_in_the_document(locked: tuple[Flask, Tokens]) -> None:
    """So the matrix above cannot miss a route that the document leaves out."""
    app, _ = locked
    documented = {(m.upper(), p) for m, p in operations(app.test_client())}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in documented, (method, rule.rule)


def test_a_route_added_later_gets_its_scope_from_the_rule(locked: tuple[Flask, Tokens]) -> None:
    """A write route no matrix lists yet needs write like every other write."""
    app, tokens = locked
    app.add_url_rule("/api/v1/added-later", "added_later", lambda: ({"stored": 1}, 201), methods=["POST"])
    app.add_url_rule("/api/v1/added-later/batch", "added_later_batch", lambda: ({"stored": 0}, 201), methods=["POST"])
    api = app.test_client()
    for path in ("/api/v1/added-later", "/api/v1/added-later/batch"):
        assert required_scope("POST", path) == "write"
        assert_error(api.post(path, json={}), 401, "unauthorized")
        assert_error(api.post(path, json={}, headers=tokens.header("read")), 403, "forbidden")
        assert api.post(path, json={}, headers=tokens.header("write")).status_code == 201


def test_open_answers_need_no_token_and_the_document_states_the_scheme(locked: tuple[Flask, Tokens]) -> None:
    app, _ = locked
    api = app.test_client()
    assert api.get("/api/v1/health").status_code == 200
    spec = api.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/api/v1/health"]["get"]["security"] == []
    with api.get("/") as page:  # the console's page asks for a token itself
        assert page.status_code == 200


def test_a_malformed_authorization_header_is_a_401(locked: tuple[Flask, Tokens]) -> None:
    app, tokens = locked
    api = app.test_client()
    for header in (tokens.read, f"Basic {tokens.read}", "Bearer ", "Bearer mlt_unknown"):
        assert_error(api.get("/api/v1/runs", headers={"Authorization": header}), 401, "unauthorized")


def test_without_auth_the_server_stays_open(app: Flask) -> None:
    api = app.test_client()
    assert api.get("/api/v1/runs").status_code == 200
    assert api.get("/api/v1/tokens").status_code == 200
    assert "securitySchemes" not in api.get("/api/v1/openapi.json").get_json().get("components", {})


def test_a_revoked_token_is_refused_by_the_worker_that_revoked_it_at_once(locked: tuple[Flask, Tokens]) -> None:
    app, tokens = locked
    api = app.test_client()
    client: Client = app.extensions["mltrace"]
    _, secret = client.create_token("short-lived", "read")
    assert api.get("/api/v1/runs", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert api.delete("/api/v1/tokens/short-lived", headers=tokens.header("admin")).status_code == 200
    assert_error(api.get("/api/v1/runs", headers={"Authorization": f"Bearer {secret}"}), 401, "unauthorized")
