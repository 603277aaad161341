"""When the store is away, the pipeline runs on, and every run is delivered once it is back."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import mltrace
from mltrace import client as client_module
from mltrace.client import Client
from tests.conftest import drop_schema, fresh_postgres_uri
from tests.ports import free_port
from tests.tcp_proxy import TcpProxy


@pytest.fixture
def postgres_behind_proxy(pg_database: str, mltrace_home: Path):
    """(uri through a proxy that is down until started, proxy, direct uri)."""
    direct, schema = fresh_postgres_uri(pg_database)
    Client(direct).store.ensure_ready()
    port = free_port()
    proxied = direct.replace("127.0.0.1:5432", f"127.0.0.1:{port}")
    proxy = TcpProxy(port, ("127.0.0.1", 5432))
    client_module._overrides.clear()
    yield proxied, proxy, direct
    proxy.stop()
    client_module._overrides.clear()
    client_module._reset_default()
    from mltrace.db.store import dispose_engines

    dispose_engines()
    drop_schema(pg_database, schema)


def test_call_returns_while_postgres_is_unreachable_and_the_run_arrives_later(postgres_behind_proxy) -> None:
    proxied, proxy, direct = postgres_behind_proxy
    mltrace.set_db_uri(proxied)  # nothing listens on that port yet

    @mltrace.register("score", outputs=["scores.csv"])
    def score(x: int) -> int:
        return x * 2

    assert score(21) == 42
    assert mltrace.flush(5) is False  # kept in the spool
    assert Client(direct).recent(10) == []
    proxy.start()
    assert mltrace.flush(10) is True
    (run,) = Client(direct).history("score")
    assert run.outputs[0].name == "scores.csv"


def test_runs_left_in_the_spool_are_delivered_by_the_next_process(
    tmp_path: Path, mltrace_home: Path, postgres_behind_proxy
) -> None:
    proxied, proxy, direct = postgres_behind_proxy
    script = textwrap.dedent(f"""
        import mltrace
        mltrace.set_db_uri({proxied!r})
        @mltrace.register("offline", outputs=["o.csv"])
        def f(i):
            return i
        print(sum(f(i) for i in range(50)))
    """)
    env = {"MLTRACE_HOME": str(mltrace_home), "MLTRACE_EXIT_TIMEOUT": "1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(sum(range(50)))
    assert Client(direct).recent(10) == []
    proxy.start()
    mltrace.set_db_uri(proxied)
    assert mltrace.flush(10) is True
    assert len(Client(direct).history("offline")) == 50


def test_a_full_queue_spills_to_disk_and_nothing_is_lost(db_uri: str, mltrace_home: Path, monkeypatch) -> None:
    monkeypatch.setenv("MLTRACE_QUEUE_SIZE", "10")
    monkeypatch.setenv("MLTRACE_BATCH_SIZE", "10")
    client_module._overrides.clear()
    client = Client(db_uri)
    writer = client.writer
    from tests.factories import run

    original_ingest = writer.sink.ingest
    gate = {"open": False}

    def slow_ingest(records, never_delivered=False):  # the sink's real signature
        while not gate["open"]:
            time.sleep(0.01)
        return original_ingest(records, never_delivered)

    monkeypatch.setattr(writer.sink, "ingest", slow_ingest)
    for i in range(500):
        writer.submit(run("spill", i, outputs=[f"o{i}"]))
    assert len(writer._queue) <= 10
    assert writer.spool.pending() > 0
    gate["open"] = True
    assert client.flush(30) is True
    assert len(client.history("spill")) == 500
