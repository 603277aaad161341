"""The audit trail: every write through the server is recorded with the token's name, in the write's transaction,
and `GET /api/v1/audit` pages through it like the recent runs."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from mltrace.client import Client
from mltrace.entities.access import acting_as
from mltrace.entities.run_wire import from_wire, to_wire
from mltrace.server.app import create_app
from tests.server.auth_fixtures import Tokens, make_tokens
from tests.server.sample import PIPELINE_RECORDS, Pipeline, assert_error


@pytest.fixture
def locked(db_uri: str, mltrace_home: Any) -> tuple[Flask, Tokens, Pipeline]:
    app = create_app({"DB_URI": db_uri, "TESTING": True, "MLTRACE_AUTH": "required"})
    client: Client = app.extensions["mltrace"]
    pipeline = Pipeline(*client.ingest([from_wire(to_wire(r)) for r in PIPELINE_RECORDS]))
    return app, make_tokens(client), pipeline


def entries(app: Flask, tokens: Tokens, query: str = "") -> list[dict[str, Any]]:
    answer = app.test_client().get(f"/api/v1/audit{query}", headers=tokens.header("read"))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["entries"]


def test_flags_notes_and_impact_flags_are_recorded_with_the_tokens_name(
    locked: tuple[Flask, Tokens, Pipeline],
) -> None:
    app, tokens, pipeline = locked
    api, writer = app.test_client(), tokens.header("write")
    assert api.put("/api/v1/flags/pred%2F1", json={"reason": "wrong"}, headers=writer).status_code == 200
    assert api.delete("/api/v1/flags/pred%2F1", headers=writer).status_code == 200
    assert api.put(f"/api/v1/runs/{pipeline.train}/notes", json={"notes": "v2"}, headers=writer).status_code == 200
    assert api.put(f"/api/v1/runs/{pipeline.train}/notes", json={"notes": "v3"}, headers=writer).status_code == 200
    assert api.post("/api/v1/impact/flags", json={"id": f"run:{pipeline.train}"}, headers=writer).status_code == 200

    found = [e for e in entries(app, tokens) if e["target_kind"] != "token"]
    assert [(e["actor"], e["action"], e["target_kind"], e["target"]) for e in found] == [
        ("writer", "flag_impact", "run", str(pipeline.train)),
        ("writer", "notes", "run", str(pipeline.train)),
        ("writer", "notes", "run", str(pipeline.train)),
        ("writer", "unflag", "output", "pred/1"),
        ("writer", "flag", "output", "pred/1"),
    ]
    assert (found[1]["before"], found[1]["after"]) == ("v2", "v3")
    assert (found[2]["before"], found[2]["after"]) == ("", "v2")
    assert found[4]["before"] == {"flagged": False, "reason": None}
    assert found[4]["after"] == {"flagged": True, "reason": "wrong"}
    assert found[0]["after"]["flagged"] >= 1


def test_one_runs_or_one_outputs_history(locked: tuple[Flask, Tokens, Pipeline]) -> None:
    app, tokens, pipeline = locked
    api, writer = app.test_client(), tokens.header("write")
    api.put("/api/v1/flags/pred%2F1", json={"reason": "wrong"}, headers=writer)
    api.put(f"/api/v1/runs/{pipeline.train}/notes", json={"notes": "checked"}, headers=writer)
    assert [e["action"] for e in entries(app, tokens, "?output_id=pred/1")] == ["flag"]
    assert [e["action"] for e in entries(app, tokens, f"?run_id={pipeline.train}")] == ["notes"]
    producer = [(e["action"], e["target"]) for e in entries(app, tokens, f"?run_id={pipeline.predict}")]
    assert producer == [("flag", "pred/1")]  # a run's history holds the flags of what it wrote
    assert entries(app, tokens, f"?run_id={pipeline.ingest}") == []
    both = entries(app, tokens, f"?run_id={pipeline.train}&output_id=pred/1")
    assert [e["action"] for e in both] == ["notes", "flag"]  # either


def test_a_write_that_fails_records_nothing(locked: tuple[Flask, Tokens, Pipeline]) -> None:
    app, tokens, _ = locked
    api, writer = app.test_client(), tokens.header("write")
    before = entries(app, tokens)
    assert_error(api.put("/api/v1/flags/never-logged", json={}, headers=writer), 404, "not_found")
    assert_error(api.put("/api/v1/runs/424242/notes", json={"notes": "x"}, headers=writer), 404, "not_found")
    assert entries(app, tokens) == before


def test_pages_follow_the_next_cursor_and_since_bounds_them(locked: tuple[Flask, Tokens, Pipeline]) -> None:
    app, tokens, pipeline = locked
    api, writer = app.test_client(), tokens.header("write")
    for i in range(7):
        api.put(f"/api/v1/runs/{pipeline.train}/notes", json={"notes": f"n{i}"}, headers=writer)
    everything = entries(app, tokens, "?limit=500")
    seen: list[dict[str, Any]] = []
    query = "?limit=3"
    while True:
        page = api.get(f"/api/v1/audit{query}", headers=tokens.header("read")).get_json()
        seen += page["entries"]
        if page["next"] is None:
            break
        query = f"?limit=3&before={page['next']}"
    assert seen == everything and len({e["id"] for e in seen}) == len(seen) >= 7 + 5
    newest = everything[0]["at"]
    assert [e["id"] for e in entries(app, tokens, f"?since={newest.replace('+', '%2B')}")] == [everything[0]["id"]]


def test_token_changes_are_recorded_and_never_their_secret(locked: tuple[Flask, Tokens, Pipeline]) -> None:
    app, tokens, _ = locked
    api, admin = app.test_client(), tokens.header("admin")
    created = api.post("/api/v1/tokens", json={"name": "ci", "scope": "write", "expires": "90d"}, headers=admin)
    assert created.status_code == 201
    secret = created.get_json()["token"]
    assert api.get("/api/v1/runs", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert api.delete("/api/v1/tokens/ci", headers=admin).status_code == 200
    found = entries(app, tokens, "?limit=2")
    assert [(e["actor"], e["action"], e["target"]) for e in found] == [
        ("admin", "token_revoke", "ci"),
        ("admin", "token_create", "ci"),
    ]
    assert secret not in str(found) and "hash" not in str(found)
    listed = api.get("/api/v1/tokens", headers=admin).get_json()["tokens"]
    ci = next(t for t in listed if t["name"] == "ci")
    assert ci["created_by"] == "admin" and ci["revoked_at"] is not None and ci["expires_at"] is not None
    assert "token" not in ci and secret not in str(listed)
    assert_error(api.delete("/api/v1/tokens/ci", headers=admin), 404, "not_found")
    duplicate = api.post("/api/v1/tokens", json={"name": "writer", "scope": "read"}, headers=admin)
    assert_error(duplicate, 409, "conflict")


def test_clean_keeps_the_tokens_and_the_trail_and_is_recorded(locked: tuple[Flask, Tokens, Pipeline]) -> None:
    app, tokens, _ = locked
    client: Client = app.extensions["mltrace"]
    client.flag("pred/1", "bad")
    client.clean()
    assert client.recent(5) == []
    found = entries(app, tokens, "?limit=2")  # the read token still works
    assert [(e["actor"], e["action"], e["target_kind"]) for e in found] == [
        ("local", "clean", "database"),
        ("local", "flag", "output"),
    ]


def test_without_auth_server_writes_are_recorded_as_anonymous_and_direct_ones_as_local(app: Flask) -> None:
    client: Client = app.extensions["mltrace"]
    client.ingest([from_wire(to_wire(r)) for r in PIPELINE_RECORDS])
    api = app.test_client()
    assert api.put("/api/v1/flags/pred%2F1", json={}).status_code == 200
    client.unflag("pred/1")
    with acting_as("someone"):
        client.flag("pred/1")
    found = api.get("/api/v1/audit").get_json()["entries"]
    assert [(e["actor"], e["action"]) for e in found] == [
        ("someone", "flag"),
        ("local", "unflag"),
        ("anonymous", "flag"),
    ]


def test_late_values_are_recorded_with_what_they_replaced(locked: tuple[Flask, Tokens, Pipeline]) -> None:
    app, tokens, pipeline = locked
    api, writer = app.test_client(), tokens.header("write")
    first = {"metrics": {"test_acc": 0.91}, "params": {"seed": 7}}
    assert api.patch(f"/api/v1/runs/{pipeline.train}", json=first, headers=writer).status_code == 200
    second = {"metrics": {"test_acc": 0.93}}
    assert api.patch(f"/api/v1/runs/{pipeline.train}", json=second, headers=writer).status_code == 200
    refused = {"metrics": {"test_acc": [1]}}
    assert api.patch(f"/api/v1/runs/{pipeline.train}", json=refused, headers=writer).status_code == 400

    found = [e for e in entries(app, tokens, f"?run_id={pipeline.train}") if e["action"] == "values"]
    assert [(e["actor"], e["target_kind"], e["target"], e["before"], e["after"]) for e in found] == [
        ("writer", "run", str(pipeline.train), {"metrics": {"test_acc": 0.91}}, {"metrics": {"test_acc": 0.93}}),
        ("writer", "run", str(pipeline.train), {"metrics": {}, "params": {}}, first),
    ]
