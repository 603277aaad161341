"""`mltrace tokens create|ls|revoke` and `mltrace audit`, on each database, and the warning of an open server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mltrace.client import Client
from mltrace.server import serve as serve_module
from tests.cli.conftest import Invoke
from tests.server.sample import PIPELINE_RECORDS


@pytest.fixture
def stored(mltrace_cli: Invoke, db_uri: str) -> Client:
    client = Client(db_uri)
    client.ingest(list(PIPELINE_RECORDS))
    return client


def test_create_prints_the_token_once_and_stores_only_its_hash(mltrace_cli: Invoke, stored: Client) -> None:
    created = mltrace_cli("tokens", "create", "ci-writer", "--scope", "write", "--expires", "90d")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("mlt_") and len(secret) > 40
    assert "not shown again" in created.stderr
    token = stored.token_for(secret)
    assert token is not None and token.name == "ci-writer" and token.scope == "write"
    assert token.expires_at is not None and token.created_by == "local"
    listed = mltrace_cli("tokens", "ls")
    assert listed.exit_code == 0 and "ci-writer" in listed.output and secret not in listed.output
    with stored.store.read() as conn:
        rows = [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM api_tokens")]
    assert secret not in str(rows)


def test_revoke_and_ls_as_json(mltrace_cli: Invoke, stored: Client) -> None:
    mltrace_cli("tokens", "create", "reader", "--scope", "read")
    assert mltrace_cli("tokens", "revoke", "reader").exit_code == 0
    tokens = json.loads(mltrace_cli("tokens", "ls", "--json").stdout)["tokens"]
    assert [(t["name"], t["scope"], t["revoked_at"] is not None) for t in tokens] == [("reader", "read", True)]
    again = mltrace_cli("tokens", "revoke", "reader")
    assert again.exit_code == 1 and "No token named 'reader'" in again.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("tokens", "create", "x", "--scope", "root"),
        ("tokens", "create", "x", "--scope", "read", "--expires", "soon"),
        ("tokens", "create", "bad name", "--scope", "read"),
        ("audit", "--since", "yesterday"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(mltrace_cli: Invoke, stored: Client, args: tuple[str, ...]) -> None:
    result = mltrace_cli(*args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_audit_lists_cli_writes_as_local_with_before_and_after(mltrace_cli: Invoke, stored: Client) -> None:
    assert mltrace_cli("flag", "pred/1", "--reason", "wrong").exit_code == 0
    train = next(r.id for r in stored.recent(10) if r.component_name == "train")
    assert mltrace_cli("notes", str(train), "looked at it").exit_code == 0
    assert mltrace_cli("unflag", "pred/1").exit_code == 0
    stored.tag_component("train", ["gpu"])  # tags are written by the Python API (no command writes them)
    shown = mltrace_cli("audit")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert [line.split()[3] for line in lines[1:5]] == ["tag", "unflag", "notes", "flag"]  # after the header
    assert '"" → looked at it' in shown.output
    found = json.loads(mltrace_cli("audit", "--json", "--limit", "4").stdout)["entries"]
    assert {e["actor"] for e in found} == {"local"}
    assert found[0]["before"] == ["ml"] and found[0]["after"] == ["gpu", "ml"]
    assert [e["action"] for e in json.loads(mltrace_cli("audit", "--json", "--run", str(train)).stdout)["entries"]] == [
        "notes"
    ]
    later = mltrace_cli("audit", "--since", "2999-01-01")
    assert later.exit_code == 0 and "No recorded changes." in later.output


def test_db_clean_is_recorded(mltrace_cli: Invoke, stored: Client) -> None:
    assert mltrace_cli("db", "clean", "--yes").exit_code == 0
    found = json.loads(mltrace_cli("audit", "--json").stdout)["entries"]
    assert (found[0]["actor"], found[0]["action"]) == ("local", "clean")


@pytest.mark.parametrize(
    ("host", "auth", "warned"),
    [("0.0.0.0", "off", True), ("127.0.0.1", "off", False), ("0.0.0.0", "required", False), ("::1", "off", False)],
)
def test_serve_on_another_interface_without_auth_warns_in_one_line(
    mltrace_cli: Invoke, stored: Client, monkeypatch: pytest.MonkeyPatch, host: str, auth: str, warned: bool
) -> None:
    monkeypatch.setattr(serve_module, "serve", lambda *args: None)
    monkeypatch.setenv("MLTRACE_AUTH", auth)
    result = mltrace_cli("serve", "--host", host)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == (1 if warned else 0), result.stderr
    if warned:
        assert "MLTRACE_AUTH=required" in warnings[0]


def test_a_typo_in_mltrace_auth_stops_serve(
    mltrace_cli: Invoke, stored: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(serve_module, "serve", lambda *args: None)
    monkeypatch.setenv("MLTRACE_AUTH", "requried")
    result = mltrace_cli("serve", "--host", "0.0.0.0")
    assert result.exit_code != 0 and "MLTRACE_AUTH" in result.stderr
