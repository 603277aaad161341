"""kill -9: of a logging process after its runs reached the spool, of one in the middle of delivering the spool,
and of the server in the middle of a stream of runs. What was spooled is delivered exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mltrace.client import Client
from mltrace.config import Config
from tests.factories import run
from tests.faults import spooled_runs, sqlite_locked
from tests.ports import free_port
from tests.server.live import live_server

LOGGER = textwrap.dedent("""
    import sys, time, mltrace
    mltrace.set_db_uri(sys.argv[1])

    @mltrace.register("killed", outputs=["o.csv"])
    def step(i):
        return i

    for i in range(int(sys.argv[2])):
        step(i)
    mltrace.flush(float(sys.argv[3]))  # the store is away: the runs go to the spool
    print("spooled", flush=True)
    time.sleep(600)  # until killed
""")


def start_logger(uri: str, home: Path, runs: int, flush_s: float = 5) -> subprocess.Popen[str]:
    env = {"MLTRACE_HOME": str(home), "PATH": "/usr/bin:/bin", "MLTRACE_STORE_TIMEOUT": "60"}
    return subprocess.Popen(
        [sys.executable, "-c", LOGGER, uri, str(runs), str(flush_s)], env=env, stdout=subprocess.PIPE, text=True
    )


@pytest.mark.slow
def test_runs_spooled_before_a_kill_9_are_delivered_once_by_the_next_process(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = tmp_path / "store.db"
    uri = f"sqlite:///{db}"
    Client(uri).upgrade()
    with sqlite_locked(db):  # the store does not answer while the process logs
        logger = start_logger(uri, home, 300, flush_s=3)
        assert logger.stdout is not None and logger.stdout.readline().strip() == "spooled"
        os.kill(logger.pid, signal.SIGKILL)
        logger.wait(10)
        logger.stdout.close()
    assert len(spooled_runs(home)) >= 300  # the batch the writer held may be spooled twice: stored once
    client = Client(uri, config=Config.from_env({"MLTRACE_HOME": str(home)}))
    assert client.flush(30) is True
    assert len(client.history("killed", limit=None)) == 300


@pytest.mark.slow
def test_a_process_killed_while_it_delivers_the_spool_leaves_it_to_the_next(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = tmp_path / "store.db"
    uri = f"sqlite:///{db}"
    Client(uri).upgrade()
    with sqlite_locked(db):
        first = start_logger(uri, home, 200, flush_s=2)
        assert first.stdout is not None and first.stdout.readline().strip() == "spooled"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        first.stdout.close()
        # a second process claims the spooled batches and waits inside the store call, then is killed too
        second = start_logger(uri, home, 0, flush_s=30)
        deadline = time.monotonic() + 20
        while not list(home.glob("spool/*/*.claimed-*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(home.glob("spool/*/*.claimed-*")), "the second process never claimed the spool"
        os.kill(second.pid, signal.SIGKILL)
        second.wait(10)
        assert second.stdout is not None
        second.stdout.close()
    client = Client(uri, config=Config.from_env({"MLTRACE_HOME": str(home)}))
    assert client.flush(30) is True  # the dead process's claims are released and delivered
    assert len(client.history("killed", limit=None)) == 200


@pytest.mark.slow
def test_runs_sent_while_the_server_is_killed_and_restarted_arrive_once(db_uri: str, tmp_path: Path) -> None:
    Client(db_uri).upgrade()
    port = free_port()
    config = Config.from_env(
        {"MLTRACE_HOME": str(tmp_path / "home"), "MLTRACE_RETRY_INTERVAL": "0.2", "MLTRACE_FLUSH_INTERVAL": "0.01"}
    )
    client = Client("", server_url=f"http://127.0.0.1:{port}", config=config)

    with live_server(db_uri, tmp_path / "first", port=port) as server:
        for i in range(500):
            client.submit(run("streamed", i))
        time.sleep(0.2)  # some batches are on their way or stored
        pids = subprocess.run(["pgrep", "-f", f"serve\\('127.0.0.1', {port}"], capture_output=True, text=True)
        for pid in pids.stdout.split():
            os.kill(int(pid), signal.SIGKILL)  # the master: its workers die with it (they watch it)
        for i in range(500, 1000):
            client.submit(run("streamed", i))  # while nothing answers
        assert client.flush(3) is False
    with live_server(db_uri, tmp_path / "second", port=port):
        assert client.flush(60) is True
    assert len(Client(db_uri).history("streamed", limit=None)) == 1000
    assert server.port == port
