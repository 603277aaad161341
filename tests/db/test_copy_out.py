"""Rows streamed out of PostgreSQL by COPY: read exactly, handed over as they arrive, and connections left sound
whatever goes wrong."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db.postgres import copy_out, copy_text
from mltrace.db.store import Store
from tests.conftest import PG_ADMIN


@pytest.fixture
def store(postgres_uri: str, mltrace_home: Path) -> Store:
    return Client(postgres_uri, config=Config.from_env()).store


def _rows(conn: Connection, query: str) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    copy_out(conn, query, lambda row: rows.append([copy_text(field) for field in row[:-1].split("\t")]))
    return rows


def test_every_character_and_null_read_back_exactly(store: Store) -> None:
    text_values = ["".join(map(chr, range(1, 128))), "\\N", "\\", "tab\there", "café ✓ 𝔘", ""]
    with store.read() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE t (n INTEGER, v TEXT)"))
        for n, value in enumerate([*text_values, None]):
            conn.execute(text("INSERT INTO t VALUES (:n, :v)"), {"n": n, "v": value})
        rows = _rows(conn, "SELECT n, v FROM t ORDER BY n")
    assert rows == [[str(n), value] for n, value in enumerate([*text_values, None])]


def test_rows_are_handed_over_while_the_server_produces_the_next(store: Store) -> None:
    arrived: list[float] = []
    # The server sends what it has whenever its 8 kB buffer fills: the second row pushes out the first.
    query = "SELECT repeat('x', 20000), pg_sleep(CASE WHEN g = 3 THEN 0.3 ELSE 0 END) FROM generate_series(1, 3) g"
    with store.read() as conn:
        copy_out(conn, query, lambda row: arrived.append(time.monotonic()))
    assert len(arrived) == 3
    assert arrived[2] - arrived[0] >= 0.2  # the first row came before the server had slept for the third


def test_a_failing_consumer_leaves_no_half_read_connection_in_the_pool(store: Store) -> None:
    def fail(row: str) -> None:
        raise ValueError("cannot read this row")

    with store.read() as conn:
        with pytest.raises(ValueError, match="cannot read this row"):
            copy_out(conn, "SELECT g FROM generate_series(1, 100000) g", fail)
        assert conn.invalidated
    with store.read() as conn:
        assert _rows(conn, "SELECT 41 + 1") == [["42"]]


def test_a_server_error_comes_out_as_sqlalchemys_and_the_connection_stays_usable(store: Store) -> None:
    with store.read() as conn:
        with pytest.raises(DBAPIError, match="division by zero") as raised:
            _rows(conn, "SELECT 1 / (3 - g) FROM generate_series(1, 5) g")
        assert not raised.value.connection_invalidated
        assert conn.execute(text("SELECT 7")).scalar() == 7


def test_a_connection_the_server_closed_is_replaced_and_the_query_runs_again(store: Store) -> None:
    attempts: list[int] = []

    def query(conn: Connection) -> list[list[str | None]]:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        attempts.append(pid)
        if len(attempts) == 1:
            admin = psycopg2.connect(f"{PG_ADMIN}/postgres")
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
            admin.close()
        return _rows(conn, "SELECT 'still here'")

    assert store.query(query) == [["still here"]]
    assert len(attempts) == 2 and attempts[0] != attempts[1]
