"""A live `mltrace serve` (gunicorn, two workers) with MLTRACE_AUTH=required: the client, its background writer's
HTTP sink and the command line send their token; a wrong token loses no run; a revocation reaches every worker
within MLTRACE_AUTH_CACHE_SECONDS."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import mltrace
from mltrace import client as client_module
from mltrace.cli.main import cli
from mltrace.client import Client
from mltrace.errors import AccessDeniedError
from tests.conftest import fresh_database
from tests.server.auth_fixtures import Tokens, make_tokens
from tests.server.live import LiveServer, live_server

pytestmark = pytest.mark.xdist_group("live-server")
CACHE_SECONDS = 1.0


@dataclass
class Locked:
    live: LiveServer
    tokens: Tokens


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def locked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Locked]:
    folder = tmp_path_factory.mktemp(f"auth-{request.param}")
    env = {"MLTRACE_AUTH": "required", "MLTRACE_AUTH_CACHE_SECONDS": str(CACHE_SECONDS)}
    with fresh_database(request, folder) as uri:
        if uri.startswith("sqlite"):
            Path(uri.removeprefix("sqlite:///")).touch()
        tokens = make_tokens(Client(uri))
        with live_server(uri, folder, env) as live:
            yield Locked(live, tokens)


@pytest.fixture
def address(locked: Locked, mltrace_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    client_module._overrides.clear()
    yield locked.live.url
    mltrace.flush(10)
    client_module._overrides.clear()
    client_module._reset_default()


def test_decorated_runs_reach_a_server_that_requires_tokens(locked: Locked, address: str) -> None:
    mltrace.set_address(address, token=locked.tokens.write)

    @mltrace.register("authed_step", inputs=["authed/in.csv"], outputs=["authed/out.csv"])
    def step() -> int:
        return 1

    step()
    assert mltrace.flush(30) is True
    (run,) = mltrace.get_history("authed_step")
    mltrace.flag_output_id("authed/out.csv", "checked through the server")
    answer = locked.live.call("GET", "/api/v1/audit?output_id=authed/out.csv", headers=locked.tokens.header("read"))
    assert [(e["actor"], e["action"]) for e in answer.json["entries"]] == [("writer", "flag")]
    assert run.id is not None


def test_the_token_comes_from_mltrace_token_too(locked: Locked, address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLTRACE_TOKEN", locked.tokens.read)
    mltrace.set_address(address)
    assert isinstance(mltrace.get_recent_run_ids(5), list)
    with pytest.raises(AccessDeniedError, match="needs write"):
        mltrace.add_notes_to_component_run(1, "a reader cannot write")


def test_runs_sent_with_a_refused_token_wait_in_the_spool(locked: Locked, address: str) -> None:
    mltrace.set_address(address, token=locked.tokens.read)  # read scope: POST /runs needs write

    @mltrace.register("refused_step", outputs=["refused/out.csv"])
    def step() -> int:
        return 1

    step()
    assert mltrace.flush(3) is False
    assert mltrace.rejected() == []  # not refused for their content: kept for when the token is fixed
    spool = Path(client_module.default_client().config.home) / "spool"
    assert [p for p in spool.rglob("*") if p.is_file() and not p.name.startswith(".")], "the run is in the spool"
    mltrace.set_address(address, token=locked.tokens.write)
    assert mltrace.flush(30) is True
    assert [r.component_name for r in mltrace.get_history("refused_step")] == ["refused_step"]


def test_the_command_line_sends_its_token(locked: Locked, address: str) -> None:
    runner = CliRunner()
    refused = runner.invoke(cli, ["recent", "--server", address])
    assert refused.exit_code == 1 and "requires an API token" in refused.stderr
    shown = runner.invoke(cli, ["recent", "--server", address, "--token", locked.tokens.read])
    assert shown.exit_code == 0, shown.output
    created = runner.invoke(
        cli, ["tokens", "create", "from-cli", "--scope", "read", "--server", address, "--token", locked.tokens.admin]
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert runner.invoke(cli, ["recent", "--server", address, "--token", secret]).exit_code == 0
    listed = runner.invoke(cli, ["tokens", "ls", "--server", address, "--token", locked.tokens.admin])
    assert "from-cli" in listed.output and secret not in listed.output
    revoked = runner.invoke(cli, ["tokens", "revoke", "from-cli", "--server", address, "--token", locked.tokens.admin])
    assert revoked.exit_code == 0, revoked.output
    listed = runner.invoke(cli, ["tokens", "ls", "--server", address, "--token", locked.tokens.admin, "--json"])
    [mine] = [t for t in json.loads(listed.stdout)["tokens"] if t["name"] == "from-cli"]
    assert mine["revoked_at"] is not None
    denied = runner.invoke(cli, ["tokens", "revoke", "from-cli", "--server", address, "--token", locked.tokens.read])
    assert denied.exit_code == 1 and "admin" in denied.stderr
    audit = runner.invoke(cli, ["audit", "--server", address, "--token", locked.tokens.read, "--json"])
    assert '"actor": "admin"' in audit.output and '"token_create"' in audit.output and '"token_revoke"' in audit.output


def test_a_revoked_token_is_refused_by_every_worker_within_the_cache_time(locked: Locked) -> None:
    live, tokens = locked.live, locked.tokens
    made = live.call(
        "POST", "/api/v1/tokens", {"name": "soon-revoked", "scope": "read"}, headers=tokens.header("admin")
    )
    assert made.status == 201
    bearer = {"Authorization": f"Bearer {made.json['token']}"}
    for _ in range(8):  # new connections: both workers check (and cache) the token
        assert live.call("GET", "/api/v1/runs", headers=bearer).status == 200
    assert live.call("DELETE", "/api/v1/tokens/soon-revoked", headers=tokens.header("admin")).status == 200
    time.sleep(CACHE_SECONDS + 0.2)
    for _ in range(8):
        answer = live.call("GET", "/api/v1/runs", headers=bearer)
        assert answer.status == 401 and answer.error["code"] == "unauthorized"


def test_health_stays_open(locked: Locked) -> None:
    assert locked.live.call("GET", "/api/v1/health").status == 200
    assert locked.live.call("GET", "/api/v1/runs").status == 401
