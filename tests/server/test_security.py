"""Every answer carries the security headers, and a server with an allow-list answers only for its hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from mltrace.server.app import create_app
from mltrace.server.security import SECURITY_HEADERS
from tests.server.sample import assert_error


@pytest.fixture
def console(tmp_path: Path, mltrace_home: Path) -> FlaskClient:
    """An app with a built console."""
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>mltrace</title><script src=/assets/app.js></script>")
    (static / "assets" / "app.js").write_text("console.log(1)")
    (tmp_path / "x.db").touch()  # an empty database
    app = create_app({"DB_URI": f"sqlite:///{tmp_path / 'x.db'}", "MLTRACE_STATIC_FOLDER": str(static)})
    return app.test_client()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/health", 200),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/api/v1/runs?limit=0", 400),
        ("GET", "/api/v1/runs/7", 404),
        ("DELETE", "/api/v1/health", 405),
        ("GET", "/api/v1/nope", 404),
        ("GET", "/", 200),
        ("GET", "/trace/data%2Fclean.csv", 200),
        ("GET", "/assets/app.js", 200),
    ],
)
def test_every_answer_carries_the_security_headers(console: FlaskClient, method: str, path: str, status: int):
    response = console.open(path, method=method)
    assert response.status_code == status
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    response.close()


def test_an_unexpected_error_carries_them_too(api, store, monkeypatch):
    monkeypatch.setattr(store, "tags", lambda: 1 / 0)
    response = api.get("/api/v1/tags")
    assert_error(response, 500, "internal")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_policy_allows_only_the_servers_own_scripts_and_no_framing():
    policy = dict(part.split(" ", 1) for part in SECURITY_HEADERS["Content-Security-Policy"].split("; "))
    assert policy["frame-ancestors"] == "'none'" and policy["default-src"] == "'self'"
    assert not {"script-src", "style-src", "connect-src"} & set(policy)  # all of them only from the server itself
    assert "unsafe" not in SECURITY_HEADERS["Content-Security-Policy"] and "*" not in policy["default-src"]
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"


def test_with_an_allow_list_other_hosts_get_400(tmp_path: Path, mltrace_home: Path, monkeypatch):
    monkeypatch.setenv("MLTRACE_ALLOWED_HOSTS", "mltrace.example.com, .corp.example")
    api = create_app({"DB_URI": f"sqlite:///{tmp_path / 'x.db'}"}).test_client()
    for host in ("mltrace.example.com", "mltrace.example.com:8080", "corp.example", "ml.corp.example"):
        assert api.get("/api/v1/health", headers={"Host": host}).status_code == 200, host
    for host in ("evil.example", "mltrace.example.com.evil.example", "127.0.0.1:8080", "xcorp.example"):
        response = api.get("/api/v1/health", headers={"Host": host})
        error = assert_error(response, 400, "bad_request")
        assert host.split(":")[0] in error["message"], host
        assert response.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert_error(api.get("/", headers={"Host": "evil.example"}), 400, "bad_request")  # the console too


def test_without_an_allow_list_any_host_is_answered(api):
    assert api.get("/api/v1/health", headers={"Host": "anything.example:1234"}).status_code == 200
