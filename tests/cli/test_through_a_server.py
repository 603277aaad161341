"""`--server URL` (and MLTRACE_SERVER_URL): the same commands answered by a running mltrace server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from mltrace.client import Client
from mltrace.samples import DemoInfo
from mltrace.server.app import create_app
from tests.cli.conftest import Invoke, one_line_error, runner_for


@pytest.fixture(scope="module")
def server_url(shown_demo: DemoInfo) -> Iterator[str]:
    """The API over the shared demo database, served from a thread on a free port."""
    server = make_server("127.0.0.1", 0, create_app({"DB_URI": shown_demo.db_uri}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def remote(server_url: str, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    for name in ("MLTRACE_DB_URI", "DB_URI", "MLTRACE_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    run = runner_for("unused")

    def invoke(*args: str) -> object:
        return run(*args, "--server", server_url, db=False)

    return invoke  # type: ignore[return-value]


@pytest.mark.parametrize(
    "args",
    [
        ["recent", "-n", "5"],
        ["history", "ingest", "-n", "4"],
        ["components", "--owner", "data-eng"],
        ["tags"],
        ["tag", "etl"],
        ["review", "-n", "3"],
    ],
    ids=lambda a: a[0],
)
def test_the_server_answers_like_the_database(args: list[str], remote: Invoke, show: Invoke) -> None:
    through_server, from_database = remote(*args), show(*args)
    assert through_server.exit_code == from_database.exit_code == 0, through_server.output
    assert through_server.stdout == from_database.stdout


def test_inspect_and_trace_json_through_the_server(shown_demo: DemoInfo, remote: Invoke, show: Invoke) -> None:
    run_id = str(shown_demo.culprit_run_id)
    assert json.loads(remote("inspect", run_id, "--json").stdout) == json.loads(
        show("inspect", run_id, "--json").stdout
    )
    bad = shown_demo.bad_prediction_ids[0]
    assert json.loads(remote("trace", bad, "--json").stdout) == json.loads(show("trace", bad, "--json").stdout)
    assert remote("trace", bad).stdout == show("trace", bad).stdout


def test_unknown_ids_through_the_server_exit_1(shown_demo: DemoInfo, remote: Invoke) -> None:
    result = remote("inspect", "987654")
    assert result.exit_code == 1
    assert "987654" in one_line_error(result)
    assert remote("trace", "never/logged").exit_code == 1


def test_the_environment_server_is_used_without_db(
    shown_demo: DemoInfo, server_url: str, show: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLTRACE_SERVER_URL", server_url)
    monkeypatch.setenv("MLTRACE_DB_URI", "sqlite:////nonexistent-folder-xyz/none.db")  # the server wins, as for logging
    result = show("tags", db=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["etl", "features", "sensors", "serving", "training"]


def test_flags_and_notes_through_the_server(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    server = make_server("127.0.0.1", 0, create_app({"DB_URI": demo.db_uri}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        good = demo.good_prediction_ids[0]
        flagged = mltrace_cli("flag", good, "--reason", "looks wrong", "--server", url, db=False)
        assert flagged.exit_code == 0, flagged.output
        assert Client(demo.db_uri).pointer(good).flag_reason == "looks wrong"  # stored by the server
        assert mltrace_cli("unflag", "--all", "--server", url, db=False).stdout == (
            f"Cleared {len(demo.bad_prediction_ids) + 1} flags.\n"
        )
        noted = mltrace_cli("notes", str(demo.culprit_run_id), "vendor bug", "--server", url, db=False)
        assert noted.exit_code == 0, noted.output
        assert "vendor bug" in mltrace_cli("inspect", str(demo.culprit_run_id)).stdout
    finally:
        server.shutdown()
        thread.join(10)
