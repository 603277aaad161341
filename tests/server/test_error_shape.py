"""Every error of every endpoint has the same JSON shape and a 4xx status (5xx only for server faults)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask

from mltrace.entities.run_wire import from_wire, to_wire
from mltrace.server.app import create_app
from tests.conftest import fresh_database
from tests.server.sample import PIPELINE_RECORDS, assert_error

BAD_JSON = object()

CASES = [
    # (method, path, body, status, code)
    ("GET", "/api/v1/runs?limit=0", None, 400, "validation_error"),
    ("GET", "/api/v1/runs?limit=abc", None, 400, "validation_error"),
    ("GET", "/api/v1/runs?before=%%%", None, 400, "validation_error"),
    ("GET", "/api/v1/runs?ids=1,x", None, 400, "validation_error"),
    ("GET", "/api/v1/runs?limit=", None, 400, "validation_error"),
    ("GET", "/api/v1/runs?limt=5", None, 400, "validation_error"),
    ("GET", "/api/v1/runs?where=metrics.accuracy%20%3E", None, 400, "validation_error"),
    ("GET", "/api/v1/runs?where=params.model%20%3D%20'a", None, 400, "validation_error"),
    ("GET", "/api/v1/runs?where=colour%20%3D%201", None, 400, "validation_error"),
    ("GET", "/api/v1/runs?order_by=tag", None, 400, "validation_error"),
    ("GET", "/api/v1/runs/export?format=xml", None, 400, "validation_error"),
    ("GET", "/api/v1/runs/export?where=status%20%3E%203", None, 400, "validation_error"),
    ("GET", "/api/v1/runs/export?order_by=metrics.a%20up", None, 400, "validation_error"),
    ("GET", "/api/v1/runs/export?limit=0", None, 400, "validation_error"),
    ("GET", "/api/v1/components/train/runs?since=2026-01-01&=x", None, 400, "validation_error"),
    (
        "POST",
        "/api/v1/runs",
        {"runs": [{"component": "x", "start": "2026-01-01", "end": "2025-01-01"}]},
        400,
        "validation_error",
    ),
    ("POST", "/api/v1/runs", BAD_JSON, 400, "bad_request"),
    ("POST", "/api/v1/runs", {"runs": [{"component": "x"}]}, 400, "validation_error"),
    ("POST", "/api/v1/runs", {"records": []}, 400, "validation_error"),
    ("GET", "/api/v1/compare?ids=1", None, 400, "validation_error"),
    ("GET", "/api/v1/compare?ids=1,1", None, 400, "validation_error"),
    ("GET", "/api/v1/compare?ids=1,x", None, 400, "validation_error"),
    ("GET", "/api/v1/compare?ids=" + ",".join(map(str, range(1, 52))), None, 400, "validation_error"),
    ("GET", "/api/v1/compare?ids=1,2&points=1", None, 400, "validation_error"),
    ("GET", "/api/v1/compare?ids=1,424242", None, 404, "not_found"),
    ("GET", "/api/v1/runs/abc", None, 400, "bad_request"),
    ("GET", "/api/v1/runs/424242", None, 404, "not_found"),
    ("PUT", "/api/v1/runs/424242/notes", {"notes": "x"}, 404, "not_found"),
    ("PUT", "/api/v1/runs/abc/notes", {"notes": "x"}, 400, "bad_request"),
    ("PUT", "/api/v1/runs/1/notes", BAD_JSON, 400, "bad_request"),
    ("PUT", "/api/v1/runs/1/notes", {"notes": None}, 400, "validation_error"),
    ("PATCH", "/api/v1/runs/424242", {"params": {"a": 1}}, 404, "not_found"),
    ("PATCH", "/api/v1/runs/abc", {"params": {"a": 1}}, 400, "bad_request"),
    ("PATCH", "/api/v1/runs/1", BAD_JSON, 400, "bad_request"),
    ("PATCH", "/api/v1/runs/1", {"params": {"a": [1]}}, 400, "validation_error"),
    ("PATCH", "/api/v1/runs/1", {"metrics": {"a": None}}, 400, "validation_error"),
    ("PATCH", "/api/v1/runs/1", {"metrics": {"": 1}}, 400, "validation_error"),
    ("GET", "/api/v1/runs/424242/series", None, 404, "not_found"),
    ("GET", "/api/v1/runs/abc/series", None, 400, "bad_request"),
    ("GET", "/api/v1/runs/1/series?key=", None, 400, "validation_error"),
    ("GET", "/api/v1/components?tag=%00", None, 400, "bad_request"),
    ("GET", "/api/v1/components/nope", None, 404, "not_found"),
    ("GET", "/api/v1/components/nope/runs", None, 404, "not_found"),
    ("GET", "/api/v1/components/train/runs?limit=501", None, 400, "validation_error"),
    ("GET", "/api/v1/components/train/runs?until=soon", None, 400, "validation_error"),
    ("GET", "/api/v1/tags/nope/components", None, 404, "not_found"),
    ("GET", "/api/v1/trace", None, 400, "validation_error"),
    ("GET", "/api/v1/trace?output_id=", None, 400, "validation_error"),
    ("GET", "/api/v1/trace?output_id=nope", None, 404, "not_found"),
    ("GET", "/api/v1/trace?output_id=pred/1&direction=sideways", None, 400, "validation_error"),
    ("GET", "/api/v1/trace?output_id=pred/1&depth=0", None, 400, "validation_error"),
    ("GET", "/api/v1/trace?output_id=pred/1&run_id=abc", None, 400, "validation_error"),
    ("PUT", "/api/v1/flags/nope", {"reason": "x"}, 404, "not_found"),
    ("PUT", "/api/v1/flags/pred%2F1", BAD_JSON, 400, "bad_request"),
    ("PUT", "/api/v1/flags/pred%2F1", {"reason": ["x"]}, 400, "validation_error"),
    ("DELETE", "/api/v1/flags/nope", None, 404, "not_found"),
    ("GET", "/api/v1/review?limit=0", None, 400, "validation_error"),
    ("GET", "/api/v1/search?limit=9999", None, 400, "validation_error"),
    ("GET", "/api/v1/search?q=" + "x" * 201, None, 400, "validation_error"),
    # wrong methods
    ("DELETE", "/api/v1/health", None, 405, "method_not_allowed"),
    ("PATCH", "/api/v1/runs", None, 405, "method_not_allowed"),
    ("POST", "/api/v1/runs/export", None, 405, "method_not_allowed"),
    ("PATCH", "/api/v1/runs/export", {"params": {"a": 1}}, 405, "method_not_allowed"),
    ("POST", "/api/v1/runs/1", None, 405, "method_not_allowed"),
    ("GET", "/api/v1/runs/1/notes", None, 405, "method_not_allowed"),
    ("POST", "/api/v1/components", None, 405, "method_not_allowed"),
    ("DELETE", "/api/v1/tags", None, 405, "method_not_allowed"),
    ("POST", "/api/v1/trace", None, 405, "method_not_allowed"),
    ("GET", "/api/v1/flags/pred%2F1", None, 405, "method_not_allowed"),
    ("POST", "/api/v1/flags", None, 405, "method_not_allowed"),
    ("PUT", "/api/v1/review", None, 405, "method_not_allowed"),
    ("POST", "/api/v1/search", None, 405, "method_not_allowed"),
    ("POST", "/", None, 405, "method_not_allowed"),
    # unknown API paths stay JSON 404s, whatever the method
    ("GET", "/api/v1/nope", None, 404, "not_found"),
    ("POST", "/api/v1/nope", None, 404, "not_found"),
    ("GET", "/api/v2/runs", None, 404, "not_found"),
    ("GET", "/api", None, 404, "not_found"),
    ("GET", "/api/v1/runs/", None, 404, "not_found"),
    ("GET", "/api/v1/swagger-ui", None, 404, "not_found"),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app with the sample pipeline per backend for all cases (none of them changes anything)."""
    with fresh_database(request, tmp_path_factory.mktemp("errors")) as uri:
        app = create_app({"DB_URI": uri, "TESTING": True})
        app.extensions["mltrace"].ingest([from_wire(to_wire(r)) for r in PIPELINE_RECORDS])
        yield app


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_every_error_has_the_error_shape(shared_app: Flask, method, path, body, status, code):
    api = shared_app.test_client()
    kwargs = {"data": "{not json", "content_type": "application/json"} if body is BAD_JSON else {"json": body}
    if body is None:
        kwargs = {}
    response = api.open(path, method=method, **kwargs)
    error = assert_error(response, status, code)
    assert "<html" not in response.get_data(as_text=True).lower()
    if code == "validation_error":
        assert error["details"], "validation errors name their fields"
    if code == "method_not_allowed":
        assert method not in response.headers["Allow"]
        assert "GET" in error["details"]["allowed"] or "PUT" in error["details"]["allowed"]


def test_unexpected_errors_are_500_internal_logged_and_without_traceback(api, store, monkeypatch, caplog):
    def broken() -> list[str]:
        raise RuntimeError("secret connection string postgres://u:pw@db")

    monkeypatch.setattr(store, "tags", broken)
    with caplog.at_level(logging.ERROR, logger="mltrace.server"):
        response = api.get("/api/v1/tags")
    error = assert_error(response, 500, "internal")
    text = response.get_data(as_text=True)
    assert "secret" not in text and "Traceback" not in text
    assert error["message"] == "Internal server error."
    assert any("secret connection string" in (r.exc_text or "") for r in caplog.records)


UNKNOWN_RUNS = [
    ("GET", "/api/v1/runs/424242", None),
    ("GET", "/api/v1/runs/99999999999999999999", None),  # too large to exist: refused before the query
    ("PUT", "/api/v1/runs/424242/notes", {"notes": "x"}),
    ("GET", "/api/v1/trace?output_id=data/clean.csv&run_id=424242", None),
]


@pytest.mark.parametrize(("method", "path", "body"), UNKNOWN_RUNS, ids=[f"{c[0]} {c[1]}" for c in UNKNOWN_RUNS])
def test_an_unknown_run_is_named_the_same_way_everywhere(shared_app: Flask, method, path, body):
    response = shared_app.test_client().open(path, method=method, **({"json": body} if body else {}))
    run_id = "99999999999999999999" if "9999999" in path else "424242"
    assert assert_error(response, 404, "not_found")["message"] == f"Run {run_id} not found."
