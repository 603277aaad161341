"""Threads racing the first run, `multiprocessing` children (fork and spawn), a client replaced many times,
git information on every path, and answers through a server that are whole, not cut at a page."""

from __future__ import annotations

import logging
import multiprocessing
import sys
import threading
from pathlib import Path

import pytest

import mltrace
from mltrace import client as client_module
from mltrace.client import Client
from mltrace.delivery.gitinfo import get_git_hash
from mltrace.delivery.writer import close_at_exit
from tests.factories import run
from tests.faults import live_server


@pytest.fixture
def frequent_thread_switches():
    """Threads switch as often as Python lets them, so that races show."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def test_threads_racing_the_first_run_lose_nothing(db_uri: str, mltrace_home: Path, frequent_thread_switches) -> None:
    for trial in range(15):
        client = Client(db_uri)
        barrier = threading.Barrier(8)

        def log(worker: int, client: Client = client, barrier: threading.Barrier = barrier, trial: int = trial) -> None:
            barrier.wait()
            for i in range(100):
                client.submit(run(f"race{trial}", worker * 1000 + i))

        threads = [threading.Thread(target=log, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert client.flush(30) is True
        assert len(client.history(f"race{trial}", limit=None)) == 800
        client.writer.close(5)


def child_logs(uri: str, home: str, worker: int) -> None:
    import os

    os.environ["MLTRACE_HOME"] = home
    mltrace.set_db_uri(uri)

    @mltrace.register("child")
    def step(i: int) -> int:
        return i

    for i in range(200):
        step(worker * 1000 + i)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_multiprocessing_children_lose_no_runs(db_uri: str, mltrace_home: Path, method: str) -> None:
    mltrace.set_db_uri(db_uri)

    @mltrace.register("parent")
    def parent_step() -> None:
        pass

    parent_step()  # the parent has a writer and pooled connections before it forks
    assert mltrace.flush(30) is True
    context = multiprocessing.get_context(method)
    children = [context.Process(target=child_logs, args=(db_uri, str(mltrace_home), w)) for w in range(4)]
    for child in children:
        child.start()
    parent_step()  # and keeps using them while the children run
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    assert mltrace.flush(30) is True
    assert len(Client(db_uri).history("child", limit=None)) == 800
    assert len(Client(db_uri).history("parent", limit=None)) == 2
    client_module._overrides.clear()
    client_module._reset_default()


def test_a_client_replaced_twenty_times_leaves_one_writer_thread(db_uri: str, mltrace_home: Path) -> None:
    client_module._overrides.clear()
    earlier = {t for t in threading.enumerate() if t.name == "mltrace-writer"}  # other tests' clients
    try:
        for i in range(20):
            mltrace.set_db_uri(db_uri)
            client_module.default_client().submit(run("again", i))
        assert mltrace.flush(30) is True
        alive = [t for t in threading.enumerate() if t.name == "mltrace-writer" and t not in earlier]
        assert len(alive) == 1
        assert len(Client(db_uri).history("again", limit=None)) == 20
    finally:
        client_module._overrides.clear()
        client_module._reset_default()


def test_a_failing_flush_and_exit_hook_are_logged(
    mltrace_home: Path, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    def broken() -> Client:
        raise RuntimeError("no client")

    monkeypatch.setattr(client_module, "default_client", broken)
    with caplog.at_level(logging.ERROR, logger="mltrace"):
        assert mltrace.flush(1) is False
        client = Client(f"sqlite:///{mltrace_home / 'x.db'}")
        client.submit(run("x", 0))
        monkeypatch.setattr(client.writer, "close", lambda timeout: 1 / 0)
        close_at_exit(client.writer)
    messages = [r.getMessage() for r in caplog.records if r.exc_info]
    assert any("flush failed" in m for m in messages)
    assert any("at exit" in m for m in messages)


def test_overflowed_and_spooled_runs_carry_the_git_commit(db_uri: str, mltrace_home: Path, monkeypatch) -> None:
    monkeypatch.setenv("MLTRACE_QUEUE_SIZE", "10")
    monkeypatch.setenv("MLTRACE_BATCH_SIZE", "10")
    assert get_git_hash() is not None  # the tests run inside the project's repository
    client = Client(db_uri)
    client.store.ensure_ready()
    store_ingest = client.writer.sink.ingest
    gate = threading.Event()

    def slow_ingest(records: list, never_delivered: bool = False) -> object:  # the sink's real signature
        gate.wait()
        return store_ingest(records, never_delivered)

    monkeypatch.setattr(client.writer.sink, "ingest", slow_ingest)
    for i in range(60):  # the writer is held up: most runs overflow to the spool
        client.submit(run("gitless", i))
    assert client.writer.spool.pending() > 0
    gate.set()
    assert client.flush(30) is True
    stored = client.whole(client.history("gitless", limit=None))
    assert len(stored) == 60
    assert {r.git_hash for r in stored} == {get_git_hash()}


@pytest.fixture
def served_runs(db_uri: str, tmp_path: Path, mltrace_home: Path):
    client = Client(db_uri)
    records = [run("many", i, inputs=[f"in{i}"], outputs=[f"out{i}"]) for i in range(700)]
    client.ingest(records)
    for i in range(0, 700, 1):
        client.flag(f"out{i}")
    with live_server(db_uri, tmp_path / "srv") as base:
        yield Client("", server_url=base)


def test_history_and_review_through_a_server_are_whole(served_runs: Client) -> None:
    assert len(served_runs.history("many")) == 700
    assert len(served_runs.review(limit=10_000)["runs"]) == 700
