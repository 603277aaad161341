"""Runs of `multiprocessing` children that are ended without warning: terminated pool workers, SIGKILL, a
child nobody has reaped yet. Each child journals its runs, so the next deliverer stores what it held."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
from pathlib import Path

import pytest

import mltrace
from mltrace import client as client_module
from mltrace.client import Client
from mltrace.delivery.journal import JOURNAL_PREFIX, Journal
from mltrace.delivery.spool import Spool
from mltrace.errors import NotFoundError
from tests.factories import run

pytestmark = pytest.mark.slow


@mltrace.register("pooled", input_vars=["x"], output_vars=["y"])
def pooled_step(x: str) -> str:
    y = f"{x}-out"
    return y


def use_store(uri: str, home: str, flush_interval: str = "0.01") -> None:
    """A child's setup: the parent's store and home (a spawned child starts from a bare environment)."""
    os.environ["MLTRACE_HOME"] = home
    os.environ["MLTRACE_FLUSH_INTERVAL"] = flush_interval
    mltrace.set_db_uri(uri)


def log_then_wait(uri: str, home: str, count: int, logged, release) -> None:
    """Logs `count` runs with a writer that would wait a minute before storing them, then waits."""
    use_store(uri, home, flush_interval="60")
    for i in range(count):
        pooled_step(f"held{i}")
    logged.set()
    release.wait(60)


def journals(home: Path) -> list[Path]:
    return list(home.glob(f"spool/*/{JOURNAL_PREFIX}*"))


@pytest.fixture
def parent_logging(db_uri: str, mltrace_home: Path):
    client_module._overrides.clear()
    mltrace.set_db_uri(db_uri)
    yield db_uri
    client_module._overrides.clear()
    client_module._reset_default()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_runs_of_workers_a_pool_terminates_on_exit_are_stored(
    parent_logging: str, mltrace_home: Path, method: str
) -> None:
    context = multiprocessing.get_context(method)
    with context.Pool(2, initializer=use_store, initargs=(parent_logging, str(mltrace_home))) as pool:
        assert len(pool.map(pooled_step, [f"in{i}" for i in range(400)])) == 400
    # `with Pool` ended by terminate(): SIGTERM to workers whose writers still held runs
    assert mltrace.flush(30) is True
    stored = Client(parent_logging).history("pooled", limit=None)
    assert sorted(r.inputs[0].name for r in stored) == sorted(f"in{i}" for i in range(400))
    assert journals(mltrace_home) == []


@pytest.mark.parametrize("reap", [True, False], ids=["reaped", "zombie"])
def test_runs_of_a_killed_child_are_stored_by_the_parents_flush(
    parent_logging: str, mltrace_home: Path, reap: bool
) -> None:
    context = multiprocessing.get_context("fork")
    logged, release = context.Event(), context.Event()
    child = context.Process(target=log_then_wait, args=(parent_logging, str(mltrace_home), 50, logged, release))
    child.start()
    assert logged.wait(60)
    os.kill(child.pid, signal.SIGKILL)
    if reap:
        child.join(30)
    else:  # killed but not yet waited for: its pid still exists, as a zombie
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
    assert mltrace.flush(30) is True
    assert len(Client(parent_logging).history("pooled", limit=None)) == 50
    assert journals(mltrace_home) == []
    child.join(30)


def test_a_live_childs_journal_is_left_to_it_and_removed_at_its_exit(parent_logging: str, mltrace_home: Path) -> None:
    context = multiprocessing.get_context("fork")
    logged, release = context.Event(), context.Event()
    child = context.Process(target=log_then_wait, args=(parent_logging, str(mltrace_home), 20, logged, release))
    child.start()
    assert logged.wait(60)
    assert len(journals(mltrace_home)) == 1
    assert mltrace.flush(30) is True  # the parent's own runs: none; the child's are its own to deliver
    with pytest.raises(NotFoundError):  # nothing of the component is stored yet
        Client(parent_logging).history("pooled", limit=None)
    release.set()
    child.join(60)
    assert child.exitcode == 0
    assert len(Client(parent_logging).history("pooled", limit=None)) == 20
    assert journals(mltrace_home) == []


def log_flush_and_measure(uri: str, home: str, sizes) -> None:
    use_store(uri, home)
    for i in range(100):
        pooled_step(f"trim{i}")
    sizes.put(mltrace.flush(30))
    (journal,) = journals(Path(home))
    sizes.put(journal.stat().st_size)


def test_a_childs_journal_is_emptied_once_its_runs_are_stored(parent_logging: str, mltrace_home: Path) -> None:
    context = multiprocessing.get_context("fork")
    sizes = context.Queue()
    child = context.Process(target=log_flush_and_measure, args=(parent_logging, str(mltrace_home), sizes))
    child.start()
    assert sizes.get(timeout=60) is True
    assert sizes.get(timeout=60) == 0
    child.join(60)
    assert len(Client(parent_logging).history("pooled", limit=None)) == 100


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_dead_processs_journal_becomes_a_batch_and_a_torn_last_line_is_kept_aside(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    journal = Journal(tmp_path)
    for i in range(3):
        journal.append(run("journaled", i))
    journal.close()
    with open(journal.path, "ab") as handle:
        handle.write(b'{"codec":"orjson","key":"cut sh')  # the kill came in the middle of a write
    orphan = journal.path.with_name(f"{JOURNAL_PREFIX}{dead_pid()}-1")
    journal.path.rename(orphan)
    (batch,) = list(spool.claim())
    assert sorted(r.component_name for r in batch[1]) == ["journaled"] * 3
    assert not orphan.exists()
    assert [p.name.startswith(".corrupt-") for p in tmp_path.iterdir()].count(True) == 1


def test_a_live_processs_journal_is_not_claimed(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(run("mine", 0))
    assert list(Spool(tmp_path).claim()) == []
    assert journal.path.exists()
    journal.remove()
    assert not journal.path.exists()
