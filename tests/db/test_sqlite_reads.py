"""Reads of a SQLite file on connections kept between reads (`db/sqlite_reads.py`): no read holds a snapshot or
an option past its end, no connection serves two readers or two processes, and writers still get connections."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from mltrace.db import sqlite_reads
from mltrace.db.store import Store
from tests.factories import run
from tests.forks import answer_in_fork


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path}/reads.db")
    store.ingest([run("first", 0)])
    return store


def test_a_read_leaves_no_transaction_open_and_the_next_sees_new_runs(store: Store) -> None:
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM component_runs")).scalar() == 1  # SQLAlchemy began one
    with store.read() as conn:
        kept = conn.connection.dbapi_connection
    assert kept.in_transaction is False
    store.ingest([run("second", 1)])
    with store.read() as conn:
        assert conn.connection.dbapi_connection is kept  # the same connection, kept between reads
        assert conn.execute(text("SELECT count(*) FROM component_runs")).scalar() == 2
    checkpointer = sqlite3.connect(store.engine.url.database, timeout=0.5)
    busy, _, _ = checkpointer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()  # waits for no reader
    checkpointer.close()
    assert busy == 0


def test_a_connection_given_options_by_a_read_is_not_kept(store: Store) -> None:
    with store.read() as conn:
        conn.execution_options(yield_per=10)  # changes this Connection in place
    with store.read() as conn:
        assert conn.get_execution_options() == {}


def test_a_failed_read_gives_its_connection_back_to_the_pool(store: Store) -> None:
    with pytest.raises(ValueError, match="the read failed"), store.read() as conn:
        failed = conn
        raise ValueError("the read failed")
    assert failed.closed
    with store.read() as conn:
        assert conn is not failed


def test_concurrent_readers_never_share_a_connection(store: Store) -> None:
    inside, release = threading.Barrier(2), threading.Event()
    seen: list[object] = []

    def reader() -> None:
        with store.read() as conn:
            seen.append(conn.connection.dbapi_connection)
            inside.wait(10)
            release.wait(10)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(seen) == 2 and seen[0] is not seen[1]


def test_a_forked_child_reads_on_its_own_connection(store: Store) -> None:
    with store.read() as conn:
        conn.connection.info["opened_by"] = os.getpid()

    def read_in_child() -> str:
        with store.read() as conn:
            count = conn.execute(text("SELECT count(*) FROM component_runs")).scalar()
            owner = conn.connection.info.get("opened_by", os.getpid())
        return f"{count} {owner == os.getpid()}"

    answer = answer_in_fork(read_in_child)
    assert answer == "1 True"


def test_many_stores_of_one_file_keep_few_connections_and_writers_get_theirs(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/many.db"
    stores = [Store(uri) for _ in range(30)]  # the pool holds at most 15
    for store in stores:
        with store.read() as conn:
            conn.execute(text("SELECT 1"))
    assert stores[0].engine.pool.checkedout() <= sqlite_reads.KEPT
    stores[0].ingest([run("written", 0)])
    assert stores[-1].query(lambda conn: conn.execute(text("SELECT count(*) FROM component_runs")).scalar()) == 1
