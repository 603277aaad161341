"""A process that exits while its runs are on their way to a slow store keeps them in the spool, and the next
process delivers them: the batch the writer holds at exit is spooled too, and exit waits no longer than its
budget whatever the store does."""

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
from tests.faults import Blackhole, live_server, spooled_runs, sqlite_locked
from tests.ports import free_port
from tests.tcp_proxy import TcpProxy

EXIT_BUDGET = 1.0

SCRIPT = textwrap.dedent("""
    import sys, time, mltrace
    target = sys.argv[1]
    if target.startswith("http"):
        mltrace.set_address(target)
    else:
        mltrace.set_db_uri(target)

    @mltrace.register("offline", outputs=["o.csv"])
    def step(i):
        return i

    print(sum(step(i) for i in range(50)), flush=True)
    time.sleep(0.5)  # the writer has taken the batch and waits inside the store call
""")


def log_50_runs_and_exit(target: str, home: Path) -> float:
    """Runs the script against `target`; returns how long the process took."""
    env = {"MLTRACE_HOME": str(home), "MLTRACE_EXIT_TIMEOUT": str(EXIT_BUDGET), "PATH": "/usr/bin:/bin"}
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", SCRIPT, target], env=env, capture_output=True, text=True, timeout=60)
    took = time.monotonic() - started
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(sum(range(50)))
    return took


@pytest.fixture
def fresh_schema(pg_database: str, mltrace_home: Path):
    direct, schema = fresh_postgres_uri(pg_database)
    Client(direct).store.ensure_ready()
    client_module._overrides.clear()
    yield direct
    client_module._overrides.clear()
    client_module._reset_default()
    from mltrace.db.store import dispose_engines

    dispose_engines()
    drop_schema(pg_database, schema)


def test_exit_while_postgresql_hangs_spools_the_batch_in_flight(fresh_schema: str, mltrace_home: Path) -> None:
    port = free_port()
    proxied = fresh_schema.replace("127.0.0.1:5432", f"127.0.0.1:{port}")
    hang = Blackhole(port)  # accepts the connection, never answers: the writer waits inside connect
    try:
        took = log_50_runs_and_exit(proxied, mltrace_home)
    finally:
        hang.close()
    assert took < EXIT_BUDGET + 5
    assert sorted(r.component_name for r in spooled_runs(mltrace_home)) == ["offline"] * 50

    proxy = TcpProxy(port, ("127.0.0.1", 5432))
    proxy.start()
    try:
        mltrace.set_db_uri(proxied)
        assert mltrace.flush(30) is True
        assert len(Client(fresh_schema).history("offline")) == 50
    finally:
        client_module._reset_default()
        proxy.stop()


def test_exit_while_the_server_never_replies_spools_the_batch_in_flight(tmp_path: Path, mltrace_home: Path) -> None:
    port = free_port()
    hang = Blackhole(port)
    try:
        took = log_50_runs_and_exit(f"http://127.0.0.1:{port}", mltrace_home)
    finally:
        hang.close()
    assert took < EXIT_BUDGET + 5
    assert len(spooled_runs(mltrace_home)) == 50

    db_uri = f"sqlite:///{tmp_path / 'served.db'}"
    with live_server(db_uri, tmp_path / "srv", port=port):
        client_module._overrides.clear()
        mltrace.set_address(f"http://127.0.0.1:{port}")
        try:
            assert mltrace.flush(30) is True
        finally:
            client_module._overrides.clear()
            client_module._reset_default()
    assert len(Client(db_uri).history("offline")) == 50


def test_exit_while_another_process_locks_the_sqlite_file_spools_the_batch_in_flight(
    tmp_path: Path, mltrace_home: Path
) -> None:
    db_path = tmp_path / "locked.db"
    uri = f"sqlite:///{db_path}"
    Client(uri).store.ensure_ready()
    with sqlite_locked(db_path):
        took = log_50_runs_and_exit(uri, mltrace_home)
    assert took < EXIT_BUDGET + 5
    assert len(spooled_runs(mltrace_home)) == 50
    client_module._overrides.clear()
    mltrace.set_db_uri(uri)
    try:
        assert mltrace.flush(30) is True
    finally:
        client_module._overrides.clear()
        client_module._reset_default()
    assert len(Client(uri).history("offline")) == 50
