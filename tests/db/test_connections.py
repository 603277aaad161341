"""PostgreSQL connections: queries outside transactions with their planner settings kept to one statement,
and pooled connections that the server closed replaced without the caller seeing an error."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import text

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db.postgres import index_walks_prefix
from mltrace.errors import StoreUnreachableError
from tests.conftest import PG_ADMIN
from tests.factories import run
from tests.faults import Blackhole
from tests.ports import free_port


def _terminate(application: str) -> int:
    """Closes, from the server side, every connection of `application`; returns how many there were."""
    conn = psycopg2.connect(f"{PG_ADMIN}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s", (application,)
        )
        (closed,) = cur.fetchone()
    conn.close()
    return int(closed)


def test_queries_and_changes_go_on_after_the_server_closed_the_pooled_connections(
    postgres_uri: str, mltrace_home: Path
) -> None:
    application = f"mltrace-test-{uuid.uuid4().hex[:8]}"
    client = Client(f"{postgres_uri}&application_name={application}", config=Config.from_env())
    client.ingest([run("a", 0, outputs=["x"])])
    assert [r.component_name for r in client.recent(5)] == ["a"]

    assert _terminate(application) >= 2  # pooled connections of writes and of queries
    assert [r.component_name for r in client.recent(5)] == ["a"]
    assert client.flag("x", "looks wrong").flag  # one statement: on a query connection
    client.tag_component("a", ["nightly"])  # a transaction: on a write connection

    assert _terminate(application) >= 2
    client.ingest([run("b", 10, inputs=["x"], outputs=["y"])])
    assert {n["id"] for n in client.trace("y")["nodes"] if n["kind"] == "pointer"} == {"pointer:x", "pointer:y"}
    assert [r.component_name for r in client.recent(5)] == ["b", "a"]


def test_a_query_runs_outside_a_transaction_and_its_planner_settings_last_one_statement(
    postgres_uri: str, mltrace_home: Path
) -> None:
    store = Client(postgres_uri, config=Config.from_env()).store
    with store.read() as conn:
        conn.execute(text("SELECT pg_sleep(0.05)"))
        assert conn.execute(text("SELECT now() = statement_timestamp()")).scalar()  # a transaction of its own
        assert conn.execute(text(index_walks_prefix("postgresql") + "SHOW enable_hashjoin")).scalar() == "off"
        assert conn.execute(text("SHOW enable_hashjoin")).scalar() == "on"


def test_a_clients_own_store_timeout_bounds_connecting_to_postgresql(
    mltrace_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLTRACE_STORE_TIMEOUT", "60")
    hang = Blackhole(free_port())  # accepts the connection and never answers
    try:
        uri = f"postgresql://postgres@127.0.0.1:{hang.port}/mltrace_timeout"
        client = Client(uri, config=Config.from_env({"MLTRACE_STORE_TIMEOUT": "2"}))
        started = time.monotonic()
        with pytest.raises(StoreUnreachableError):
            client.recent(1)
        assert time.monotonic() - started < 15  # its own 2 s (per connection attempt), not the environment's 60 s
    finally:
        hang.close()
