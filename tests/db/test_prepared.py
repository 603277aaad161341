"""PostgreSQL plans mltrace's queries once per connection, and the prepared statements follow schema changes; read
straight from the driver, they give what SQLAlchemy gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db import lineage_queries, queries
from mltrace.db.postgres import Prepared
from tests.factories import run
from tests.faults import terminate_backend


def test_a_query_is_planned_once_per_connection_whatever_its_limit(postgres_uri: str, mltrace_home: Path) -> None:
    client = Client(postgres_uri, config=Config.from_env())
    client.ingest([run("a", i, outputs=[f"x{i}"]) for i in range(30)])
    with client.store.read() as conn:
        for limit in (5, 10, 20, 5, 10, 20, 5, 10):
            assert len(queries.recent_runs(conn, limit)) == limit
        plans = conn.execute(
            text("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'mltrace_recent'")
        ).one()
    assert tuple(plans) == (8, 0)  # one generic plan, reused; no plan per run


def test_prepared_queries_see_tables_made_again(postgres_uri: str, mltrace_home: Path) -> None:
    client = Client(postgres_uri, config=Config.from_env())
    client.ingest([run("a", 0, outputs=["x"]), run("b", 10, inputs=["x"], outputs=["y"])])
    assert [r.component_name for r in client.recent(5)] == ["b", "a"]
    assert len(client.trace("y")["nodes"]) == 4
    client.store.clean()  # drops and creates every table: the prepared statements' tables are new ones
    client.ingest([run("c", 20, outputs=["z"])])
    assert [r.component_name for r in client.recent(5)] == ["c"]
    assert [n["id"] for n in client.trace("z")["nodes"]] == ["pointer:z", f"run:{client.recent(1)[0].id}"]


def test_rows_read_from_the_driver_equal_sqlalchemys_rows(client: Client) -> None:
    """`Prepared.rows` binds and converts as `execute` does: times as UTC datetimes, JSON as objects, flags as
    booleans, lists bound as one value."""
    ids = client.ingest([run("a", 0, outputs=["x"], params={"lr": 0.1}), run("b", 10, inputs=["x"], outputs=["y"])])
    client.flag("x", "wrong")
    with client.store.read() as conn:
        for statement, params in (
            (queries._WHOLE_BY_ID, {"ids": ids}),
            (queries._RECENT, {"limit": 5}),
            (lineage_queries._FLAGGED_NAMES, {}),
            (lineage_queries._TRACES[conn.dialect.name, ("upstream", False)], {"name": "y", "run": None}),
        ):
            expected = [tuple(row) for row in statement.execute(conn, params).all()]
            assert expected
            assert statement.rows(conn, params) == expected
            assert [type(v) for v in statement.rows(conn, params)[0]] == [type(v) for v in expected[0]]


def test_rows_raise_sqlalchemys_errors_and_a_lost_connection_is_run_again(
    postgres_uri: str, mltrace_home: Path
) -> None:
    client = Client(postgres_uri, config=Config.from_env())
    client.ingest([run("a", 0, outputs=["x"])])
    failing = Prepared("test_division", text("SELECT 1 / (:n - 1)"))
    with client.store.read() as conn:
        with pytest.raises(DBAPIError, match="division by zero") as raised:
            failing.rows(conn, {"n": 1})
        assert not raised.value.connection_invalidated
        assert failing.rows(conn, {"n": 2}) == [(1,)]
    attempts: list[int] = []

    def trace_after_losing_the_first_connection(conn: Connection) -> dict:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        attempts.append(pid)
        if len(attempts) == 1:
            terminate_backend(pid)
        return lineage_queries.trace(conn, "x")

    graph = client.store.query(trace_after_losing_the_first_connection)
    assert [n["id"] for n in graph["nodes"]][0] == "pointer:x"
    assert len(attempts) == 2 and attempts[0] != attempts[1]
