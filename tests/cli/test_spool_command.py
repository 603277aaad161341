"""`mltrace spool`: the runs waiting in the spool for a store (logged while it was unreachable, or left by
processes that ended first), and `--deliver` to store them now."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mltrace.client import Client
from mltrace.config import Config
from mltrace.delivery.journal import JOURNAL_PREFIX, Journal
from mltrace.delivery.spool import Spool
from tests.cli.conftest import Invoke, one_line_error, runner_for
from tests.factories import run


def spool_of(uri: str) -> Spool:
    """The spool folder the writers of `uri` share."""
    return Client(uri, config=Config.from_env()).writer.spool


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_spooled_runs_are_counted_and_delivered(mltrace_cli: Invoke, db_uri: str) -> None:
    spool = spool_of(db_uri)
    spool.write([run("spooled", i) for i in range(3)])
    spool.write([run("spooled", 10)])
    shown = mltrace_cli("spool")
    assert shown.exit_code == 0, shown.output
    assert f"4 runs in 2 files wait in {spool.directory}" in shown.stdout
    delivered = mltrace_cli("spool", "--deliver")
    assert delivered.exit_code == 0, delivered.output
    assert "Stored them: no runs wait" in delivered.stdout
    assert len(Client(db_uri).history("spooled", limit=None)) == 4
    assert "No runs wait" in mltrace_cli("spool").stdout


def test_the_journal_of_a_process_that_is_gone_waits_and_is_delivered(mltrace_cli: Invoke, db_uri: str) -> None:
    spool = spool_of(db_uri)
    journal = Journal(spool.directory)
    for i in range(2):
        journal.append(run("journaled", i))
    journal.close()
    journal.path.rename(journal.path.with_name(f"{JOURNAL_PREFIX}{dead_pid()}-1"))
    assert "2 runs in 1 file wait" in mltrace_cli("spool").stdout
    assert mltrace_cli("spool", "--deliver").exit_code == 0
    assert len(Client(db_uri).history("journaled", limit=None)) == 2


def test_a_running_process_journal_is_named_and_left_to_it(mltrace_cli: Invoke, db_uri: str) -> None:
    spool = spool_of(db_uri)
    journal = Journal(spool.directory)  # this process is running: its runs are its own to store
    journal.append(run("running", 0))
    shown = mltrace_cli("spool", "--deliver")
    assert shown.exit_code == 0, shown.output
    assert "1 running process holds runs it has not stored yet" in shown.stdout
    assert journal.path.stat().st_size > 0
    journal.remove()


def test_an_unreachable_store_keeps_the_runs_waiting_and_exits_1(mltrace_home: Path, monkeypatch) -> None:
    monkeypatch.setenv("MLTRACE_STORE_TIMEOUT", "2")
    uri = "postgresql://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
    spool = spool_of(uri)
    spool.write([run("waiting", i) for i in range(2)])
    result = runner_for(uri)("spool", "--deliver")
    assert result.exit_code == 1
    error = one_line_error(result)
    assert error.startswith("Error: the store cannot take them now (")
    assert "port 1 failed" in error and "runs wait in" not in error  # the store's own words, once
    assert error.endswith(f"2 runs in 1 file still wait in {spool.directory}.")
    assert sum(len(batch) for _, batch in spool.claim()) == 2  # still there, whole


def test_the_reason_given_is_the_store_s_even_after_other_warnings(mltrace_home: Path, monkeypatch) -> None:
    monkeypatch.setenv("MLTRACE_STORE_TIMEOUT", "2")
    uri = "postgresql://postgres@127.0.0.1:1/nowhere"
    spool = spool_of(uri)
    spool.write([run("waiting", i) for i in range(2)])
    (spool.directory / f"{0:020d}-1-0.jsonl").write_bytes(b"{torn\n")  # read first, and nobody can
    result = runner_for(uri)("spool", "--deliver")
    assert result.exit_code == 1
    warning, error = result.stderr.strip().splitlines()  # the other warning is still shown, before the error
    assert warning.startswith("mltrace: 1 unreadable spooled runs kept in ")
    assert error.startswith("Error: the store cannot take them now (unreachable: ")
    assert "port 1 failed" in error and "unreadable" not in error


@pytest.mark.parametrize("timeout", ["-1", "soon"])
def test_a_bad_timeout_is_a_usage_error(mltrace_cli: Invoke, timeout: str) -> None:
    result = mltrace_cli("spool", "--deliver", "--timeout", timeout)
    assert result.exit_code == 2
    assert "--timeout" in one_line_error(result)
