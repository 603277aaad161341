"""A run that cannot be encoded or stored is set aside on its own, with its reason, and never costs its
neighbours; `flush()` then answers False and `mltrace.rejected()` lists it. The same on both databases,
with the store down first, and through a server."""

from __future__ import annotations

import http.server
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import mltrace
from mltrace import client as client_module
from mltrace.cli.main import cli
from mltrace.client import Client
from mltrace.entities import ComponentRun, IOPointer
from tests.factories import run
from tests.faults import live_server, rejected_runs
from tests.ports import free_port
from tests.tcp_proxy import TcpProxy

BAD_NAME = os.fsdecode(b"bad-\xff.csv")  # a file name with a byte that is not UTF-8: a lone surrogate


def nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"x": value}
    return value


def batch_with(bad: ComponentRun, good: int = 100) -> list[ComponentRun]:
    records = [run("good", i, outputs=[f"o{i}"]) for i in range(good)]
    records.insert(good // 2, bad)
    return records


class Unprintable:
    """A value no encoder can write: its `str` and `repr` fail."""

    def __str__(self) -> str:
        raise RuntimeError("no text for this value")

    __repr__ = __str__


BAD_RUNS = {
    "lone surrogate in an output name": lambda: run("good", 500, outputs=[BAD_NAME]),
    "lone surrogate in the component name": lambda: run(f"step-{BAD_NAME}", 500),
    "an output name of 20,000 characters": lambda: run("good", 500, outputs=["x" * 20_000]),
    "end before start": lambda: run("good", 500, end=400),
}


@pytest.mark.parametrize("bad", BAD_RUNS.values(), ids=BAD_RUNS.keys())
def test_a_bad_run_is_set_aside_and_its_100_neighbours_are_stored(client: Client, mltrace_home: Path, bad) -> None:
    bad_run = bad()
    for record in batch_with(bad_run):
        client.submit(record)
    assert client.flush(30) is False  # one run was not stored
    assert len(client.history("good", limit=None)) == 100 + 0
    (entry,) = rejected_runs(mltrace_home)
    assert entry["run"]["key"] == bad_run.key and entry["error"]
    assert not list(mltrace_home.glob("spool/*/.*.tmp"))


def test_params_nested_600_deep_are_stored_cut_with_their_neighbours(client: Client, mltrace_home: Path) -> None:
    deep = run("good", 500, params={"deep": nested(600)})
    for record in batch_with(deep):
        client.submit(record)
    assert client.flush(30) is True
    assert len(client.history("good", limit=None)) == 101
    (stored,) = [r for r in client.whole(client.history("good", limit=None)) if r.params]
    assert "cut" in json.dumps(stored.params)


def test_a_run_that_cannot_even_be_written_down_is_set_aside_without_breaking_the_others(
    client: Client, mltrace_home: Path
) -> None:
    bad = run("good", 500, key=Unprintable())  # hand-built with a key no store, spool or log can write
    for record in batch_with(bad):
        client.submit(record)
    assert client.flush(30) is False
    assert len(client.history("good", limit=None)) == 100
    (entry,) = rejected_runs(mltrace_home)
    assert entry["run"]["component"] == "good" and entry["run"]["repr"].startswith("<unprintable")


def test_a_lone_surrogate_run_is_spooled_while_the_database_is_down_then_set_aside_alone(
    pg_database: str, mltrace_home: Path
) -> None:
    from tests.conftest import drop_schema, fresh_postgres_uri

    direct, schema = fresh_postgres_uri(pg_database)
    port = free_port()
    proxied = direct.replace("127.0.0.1:5432", f"127.0.0.1:{port}")
    proxy = TcpProxy(port, ("127.0.0.1", 5432))
    client = Client(proxied)
    try:
        bad = run("good", 500, outputs=[BAD_NAME])
        for record in batch_with(bad):
            client.submit(record)
        assert client.flush(5) is False  # the database is down: everything waits in the spool, none lost
        assert not list(mltrace_home.glob("spool/*/.*.tmp"))
        proxy.start()
        assert client.flush(30) is False  # delivered, but one run was refused
        assert len(Client(direct).history("good", limit=None)) == 100
        (entry,) = rejected_runs(mltrace_home)
        assert entry["run"]["key"] == bad.key and "surrogate" in entry["error"]
        assert entry["run"]["outputs"][0]["name"] == BAD_NAME  # kept exactly
    finally:
        proxy.stop()
        from mltrace.db.store import dispose_engines

        dispose_engines()
        drop_schema(pg_database, schema)


@pytest.fixture
def served(db_uri: str, tmp_path: Path, mltrace_home: Path) -> Iterator[tuple[str, str]]:
    """(server URL, its database URI): a live `mltrace serve` on each database."""
    with live_server(db_uri, tmp_path / "srv") as base:
        yield base, db_uri


@pytest.mark.parametrize("bad", BAD_RUNS.values(), ids=BAD_RUNS.keys())
def test_through_a_server_exactly_the_refused_run_is_set_aside(served, mltrace_home: Path, bad) -> None:
    base, db_uri = served
    bad_run = bad()
    client = Client("", server_url=base)
    for record in batch_with(bad_run):
        client.submit(record)
    assert client.flush(30) is False
    assert len(Client(db_uri).history("good", limit=None)) == 100
    (entry,) = rejected_runs(mltrace_home)
    assert entry["run"]["key"] == bad_run.key and entry["error"]


class AlwaysFailing(http.server.BaseHTTPRequestHandler):
    """A server with a bug: every request answers 500."""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"error": {"code": "internal", "message": "Internal server error.", "details": {}}}'
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_server_that_always_fails_is_not_retried_without_end(mltrace_home: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AlwaysFailing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = Client("", server_url=f"http://127.0.0.1:{server.server_address[1]}")
        records = [run("good", i) for i in range(20)]
        for record in records:
            client.submit(record)
        started = time.monotonic()
        assert client.flush(60) is False
        assert time.monotonic() - started < 30
        assert sorted(e["run"]["key"] for e in rejected_runs(mltrace_home)) == sorted(r.key for r in records)
    finally:
        server.shutdown()
        server.server_close()


def test_rejected_runs_are_listed_by_python_and_the_cli(logging_to: str, mltrace_home: Path) -> None:
    bad = run("good", 0, outputs=[IOPointer(BAD_NAME)])  # built by hand: the decorators would fit the name
    client_module.default_client().submit(bad)
    assert mltrace.flush(30) is False
    (listed,) = mltrace.rejected()
    assert listed["key"] == bad.key and listed["component"] == "good" and "surrogate" in listed["reason"]
    result = CliRunner().invoke(cli, ["--db", logging_to, "rejected"])
    assert result.exit_code == 0, result.output
    assert bad.key in result.output and "surrogate" in result.output
