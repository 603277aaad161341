"""A SQLite store whose write lock another process holds past the busy timeout is unreachable for writes, as a
stopped server is: the caller gets StoreUnreachableError, never a driver error, and writes again once it is free."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mltrace.client import Client
from mltrace.config import Config
from mltrace.errors import StoreUnreachableError
from tests.factories import run
from tests.faults import sqlite_locked


def test_a_write_waiting_past_the_busy_timeout_is_unreachable_then_goes_on(
    tmp_path: Path, mltrace_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLTRACE_STORE_TIMEOUT", "0.2")  # the engine's busy timeout
    path = tmp_path / "locked.db"
    client = Client(f"sqlite:///{path}", config=Config.from_env())
    client.ingest([run("w", 0, outputs=["out"])])
    with sqlite_locked(path):  # another process holds the write lock
        with pytest.raises(StoreUnreachableError, match="locked"):
            client.flag("out", "wrong")
        assert client.trace("out")["nodes"][0]["flagged"] is False  # reads go on meanwhile
    assert client.flag("out", "wrong").flag is True


def test_a_clients_own_store_timeout_bounds_its_waits_whatever_the_environment_says(
    tmp_path: Path, mltrace_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLTRACE_STORE_TIMEOUT", "60")
    path = tmp_path / "locked.db"
    client = Client(f"sqlite:///{path}", config=Config.from_env({"MLTRACE_STORE_TIMEOUT": "0.2"}))
    client.ingest([run("w", 0, outputs=["out"])])
    patient = Client(f"sqlite:///{path}", config=Config.from_env())  # the same database, the environment's 60 s
    with sqlite_locked(path):
        started = time.monotonic()
        with pytest.raises(StoreUnreachableError, match="locked"):
            client.flag("out", "wrong")
        assert time.monotonic() - started < 10  # its own 0.2 s, not the environment's 60 s
    assert patient.flag("out", "wrong").flag is True
