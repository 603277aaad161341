"""Runs of `multiprocessing` children that are ended without warning: terminated pool workers, SIGKILL, a
child nobody has reaped yet. Each child journals its runs, so the next deliverer stores what it held."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import mltrace
from mltrace import client as client_module
from mltrace.client import Client
from mltrace.config import Config
from mltrace.delivery.journal import JOURNAL_PREFIX, Journal
from mltrace.delivery.spool import Spool
from mltrace.delivery.writer import BackgroundWriter
from mltrace.entities import ComponentRun
from mltrace.errors import InvalidInputError, NotFoundError
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


def log_then_kill_myself(uri: str, home: str, journal: str) -> None:
    """A main process (no multiprocessing parent) that logs 30 runs and is SIGKILLed before storing them."""
    code = (
        "import os, signal, mltrace\n"
        f"mltrace.set_db_uri({uri!r})\n"
        "@mltrace.register('killed_main')\n"
        "def step(i):\n"
        "    return i\n"
        "for i in range(30):\n"
        "    step(i)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {"MLTRACE_HOME": home, "MLTRACE_FLUSH_INTERVAL": "60", "MLTRACE_JOURNAL": journal, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr


def test_with_journal_always_a_killed_main_process_loses_no_run(parent_logging: str, mltrace_home: Path) -> None:
    log_then_kill_myself(parent_logging, str(mltrace_home), "always")
    assert mltrace.flush(30) is True
    assert len(Client(parent_logging).history("killed_main", limit=None)) == 30


def test_by_default_a_main_process_keeps_no_journal(parent_logging: str, mltrace_home: Path) -> None:
    log_then_kill_myself(parent_logging, str(mltrace_home), "children")
    assert journals(mltrace_home) == []  # its runs were only in memory: the price of not journaling


def test_with_journal_off_a_child_keeps_none(parent_logging: str, mltrace_home: Path, monkeypatch) -> None:
    monkeypatch.setenv("MLTRACE_JOURNAL", "off")
    context = multiprocessing.get_context("fork")
    logged, release = context.Event(), context.Event()
    child = context.Process(target=log_then_wait, args=(parent_logging, str(mltrace_home), 5, logged, release))
    child.start()
    assert logged.wait(60)
    assert journals(mltrace_home) == []
    release.set()
    child.join(60)
    assert len(Client(parent_logging).history("pooled", limit=None)) == 5  # stored at its clean exit


@pytest.mark.parametrize("value", ["sometimes", "1"])
def test_an_unknown_journal_setting_is_an_error_naming_it(value: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        Config.from_env({"MLTRACE_JOURNAL": value})
    assert str(raised.value) == f"MLTRACE_JOURNAL must be 'children', 'always' or 'off', not '{value}'"


class KeepingSink:
    """A sink that keeps what it is given (the Sink interface)."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> object:
        self.keys += [r.key for r in records]
        return None


def test_a_run_logged_while_close_removes_the_journal_is_still_stored(tmp_path: Path) -> None:
    sink = KeepingSink()
    writer = BackgroundWriter(sink, Spool(tmp_path), flush_interval=0.01, journal="always")
    first, second = run("racing", 0), run("racing", 1)
    writer.submit(first)
    writer._journal_lock.acquire()  # as `close` does while it takes the journal away
    logging_thread = threading.Thread(target=writer.submit, args=(second,))
    logging_thread.start()
    time.sleep(0.2)  # the run's caller has seen the journal and waits for its lock
    journal, writer._journal = writer._journal, None
    writer._journal_lock.release()
    logging_thread.join(10)
    assert journal is not None
    journal.remove()
    assert writer.flush(10) is True
    assert sorted(sink.keys) == sorted([first.key, second.key]) and writer.dropped == 0
    writer.close(1)


class GatedKeepingSink(KeepingSink):
    """A store that takes nothing until `opened` is set (a writer far behind its process)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = threading.Event()

    def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> object:
        self.opened.wait(30)
        return super().ingest(records, never_delivered)


def test_the_journal_stops_at_the_spools_size_says_so_once_and_starts_again_when_emptied(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sink = GatedKeepingSink()
    writer = BackgroundWriter(sink, Spool(tmp_path, max_bytes=20_000), flush_interval=0.01, journal="always")
    with caplog.at_level(logging.WARNING, logger="mltrace"):
        for i in range(100):  # a run of the factory is a few hundred bytes as a journal line
            writer.submit(run("behind", i))
        journal = writer._journal
        assert journal is not None
        assert 15_000 < journal.path.stat().st_size <= 20_000
        full = [r.getMessage() for r in caplog.records if "journal" in r.getMessage()]
        assert len(full) == 1 and "20,000 bytes" in full[0]
        sink.opened.set()
        assert writer.flush(30) is True
        assert journal.path.stat().st_size == 0
        writer.submit(run("behind", 100))
        assert journal.path.stat().st_size > 0  # journaled again
    assert writer.flush(30) is True
    assert len(sink.keys) == 101
    writer.close(5)
