"""Rows read out of PostgreSQL by COPY: read exactly, and connections left sound whatever goes wrong."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db.postgres import copy_out_csv
from mltrace.db.store import Store
from tests.faults import terminate_backend


@pytest.fixture
def store(postgres_uri: str, mltrace_home: Path) -> Store:
    return Client(postgres_uri, config=Config.from_env()).store


def _rows(conn: Connection, query: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(copy_out_csv(conn, query).decode())))


def test_rows_come_back_as_csv_with_every_character(store: Store) -> None:
    values = ["".join(map(chr, range(1, 128))), "\\N", "tab\there", 'say "hi"', "café ✓ 𝔘"]
    with store.read() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE t (n INTEGER, v TEXT)"))
        for n, value in enumerate(values):
            conn.execute(text("INSERT INTO t VALUES (:n, :v)"), {"n": n, "v": value})
        rows = _rows(conn, "SELECT n, v FROM t ORDER BY n")
    assert rows == [[str(n), value.replace("\r\n", "\n")] for n, value in enumerate(values)]


def test_a_server_error_comes_out_as_sqlalchemys_and_the_connection_stays_usable(store: Store) -> None:
    with store.read() as conn:
        with pytest.raises(DBAPIError, match="division by zero") as raised:
            _rows(conn, "SELECT 1 / (3 - g) FROM generate_series(1, 5) g")
        assert not raised.value.connection_invalidated
        assert conn.execute(text("SELECT 7")).scalar() == 7


def test_a_connection_the_server_closed_is_replaced_and_the_query_runs_again(store: Store) -> None:
    attempts: list[int] = []

    def query(conn: Connection) -> list[list[str]]:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        attempts.append(pid)
        if len(attempts) == 1:
            terminate_backend(pid)
        return _rows(conn, "SELECT 'still here'")

    assert store.query(query) == [["still here"]]
    assert len(attempts) == 2 and attempts[0] != attempts[1]
