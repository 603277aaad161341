"""Runs logged in a multiprocessing child survive its termination by the parent: `with Pool(...)` terminates its
workers on leaving the block, a moment after their last task, and `Process.terminate()` sends SIGTERM."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import signal
import time
from pathlib import Path

import pytest

import mltrace
from mltrace import client as client_module
from mltrace.client import Client


@mltrace.register("pooled")
def pooled_step(i: int) -> int:
    return i * 2


def _slow_writer(db_uri: str) -> None:
    """The child's writer waits 30 s to gather a batch: its runs are all in memory when it is terminated."""
    os.environ["MLTRACE_FLUSH_INTERVAL"] = "30"
    mltrace.set_db_uri(db_uri)


def _log_then_wait(db_uri: str, ready: multiprocessing.synchronize.Event) -> None:
    _slow_writer(db_uri)
    for i in range(50):
        pooled_step(i)
    ready.set()
    time.sleep(60)  # until terminated


@pytest.fixture
def parent_logging_to(db_uri: str, mltrace_home: Path):
    mltrace.set_db_uri(db_uri)
    Client(db_uri).store.ensure_ready()
    yield db_uri
    client_module._overrides.clear()
    client_module._reset_default()


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_pool_left_by_its_with_block_keeps_every_run(parent_logging_to: str, method: str) -> None:
    context = multiprocessing.get_context(method)
    with context.Pool(2, initializer=_slow_writer, initargs=(parent_logging_to,)) as pool:
        assert sum(pool.map(pooled_step, range(400))) == 2 * sum(range(400))
    assert mltrace.flush(60) is True  # delivers what the workers spooled as they were terminated
    assert len(Client(parent_logging_to).history("pooled", limit=None)) == 400


@pytest.mark.slow
def test_a_terminated_process_keeps_its_runs_and_still_ends_by_sigterm(parent_logging_to: str) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    child = context.Process(target=_log_then_wait, args=(parent_logging_to, ready))
    child.start()
    assert ready.wait(60)
    child.terminate()
    child.join(60)
    assert child.exitcode == -signal.SIGTERM  # the exit the parent asked for
    assert mltrace.flush(60) is True
    assert len(Client(parent_logging_to).history("pooled", limit=None)) == 50


def _hold_the_writers_lock(db_uri: str, ready: multiprocessing.synchronize.Event) -> None:
    _slow_writer(db_uri)
    pooled_step(0)
    writer = client_module.default_client().writer
    with writer._lock:  # as if SIGTERM came while this thread was queueing a run
        ready.set()
        time.sleep(60)


@pytest.mark.slow
def test_a_child_terminated_while_it_holds_the_writers_lock_still_ends(parent_logging_to: str) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    child = context.Process(target=_hold_the_writers_lock, args=(parent_logging_to, ready))
    child.start()
    assert ready.wait(60)
    started = time.monotonic()
    child.terminate()
    child.join(30)
    if child.is_alive():  # it hung: leave no process behind
        child.kill()
    assert child.exitcode == -signal.SIGTERM
    assert time.monotonic() - started < 10  # it waited for the lock a moment, then ended as asked
