"""PostgreSQL plans mltrace's queries once per connection, and the prepared statements follow schema changes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db import queries
from tests.factories import run


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
