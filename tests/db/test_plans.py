"""Query plans stay index-driven on tables PostgreSQL has never analyzed (right after a bulk load, with
autovacuum off or behind): no statement of review, trace, impact, recent or search reads a large table whole.

The plans are the ones the queries really run with (their prepared statements, their planner settings, the
walks COPY streams), as `auto_explain` reports them to the connection that ran them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db import impact_queries, lineage_queries, queries, search
from mltrace.lineage.impact import parse_selector
from tests.factories import run

LARGE_TABLES = {"component_runs", "io_pointers", "run_inputs", "run_outputs", "run_dependencies"}


@pytest.fixture(scope="module")
def never_analyzed(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """A store of 6,600 runs and 200,000 outputs whose tables were never analyzed: a 500-input fan-in (200 of its
    inputs written by no run), predictions from batches, 100 of them flagged, and filler pipelines."""
    from tests.conftest import drop_schema, fresh_postgres_uri

    uri, schema = fresh_postgres_uri(pg_database)
    home = tmp_path_factory.mktemp("home")
    client = Client(uri, config=Config.from_env({"MLTRACE_HOME": str(home)}))
    client.store.ensure_ready()
    with client.store.engine.connect() as conn:
        tables = conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        for (table,) in tables.all():
            conn.exec_driver_sql(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')
        conn.commit()
    records = [run("source", i, outputs=[f"src/{i}"]) for i in range(300)]
    records.append(
        run(
            "merge", 400, inputs=[f"src/{i}" for i in range(300)] + [f"raw/{i}" for i in range(200)], outputs=["merged"]
        )
    )
    records.append(run("train", 500, inputs=["history.csv"], outputs=["model.pkl"]))
    for b in range(100):
        records.append(run("featurize", 600 + b, inputs=[f"raw/batch/{b}"], outputs=[f"features/{b}"]))
    for p in range(1000):
        records.append(
            run(
                "predict",
                800 + p,
                inputs=[f"features/{p % 100}", "model.pkl"],
                outputs=[f"pred/{p}/{k}" for k in range(200)],
            )
        )
    for i in range(5000):
        records.append(run(f"step{i % 4}", 2000 + i, inputs=[f"f/{i - 1}"] if i % 4 else [], outputs=[f"f/{i}"]))
    for start in range(0, len(records), 2000):
        client.ingest(records[start : start + 2000])
    for k in range(100):
        client.flag(f"pred/{7 + 100 * (k % 2)}/{k}", "wrong")
    yield client
    from mltrace.db.store import dispose_engines

    dispose_engines()
    drop_schema(pg_database, schema)


_AUTO_EXPLAIN = (
    "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_level = notice;"
    "SET auto_explain.log_format = json; SET client_min_messages = notice"
)


class _Notices(logging.Handler):
    """Keeps the notices SQLAlchemy takes from the driver after each statement (it logs them, then clears them)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def plans_of(client: Client, query: Callable[[Connection], object]) -> list[dict[str, Any]]:
    """The plan of every statement `query` runs on a read connection, as auto_explain reports it."""
    logger = logging.getLogger("sqlalchemy.dialects.postgresql")
    notices, level = _Notices(), logger.level
    with client.store.read() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        cursor.execute(_AUTO_EXPLAIN)
        del dbapi.notices[:]
        logger.addHandler(notices)
        logger.setLevel(logging.INFO)
        try:
            query(conn)
        finally:
            logger.removeHandler(notices)
            logger.setLevel(level)
            cursor.execute("SET auto_explain.log_min_duration = -1; RESET client_min_messages")
        messages = notices.messages + list(dbapi.notices)  # statements run on the driver's cursor (COPY) stay there
        del dbapi.notices[:]
    plans = [json.loads(m.split("plan:", 1)[1])["Plan"] for m in messages if "plan:" in m]
    assert plans, "auto_explain reported no plan"
    return plans


def whole_scans(plan: dict[str, Any]) -> list[str]:
    """The large tables a plan reads whole (a sequential scan), wherever it sits in the plan."""
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in LARGE_TABLES:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += whole_scans(child)
    return found


def assert_index_driven(plans: list[dict[str, Any]]) -> None:
    scanned = [table for plan in plans for table in whole_scans(plan)]
    assert scanned == [], f"sequential scans of {scanned} in {json.dumps(plans, indent=1)[:4000]}"


def test_review_reads_only_what_the_flagged_outputs_reach(never_analyzed: Client) -> None:
    plans = plans_of(never_analyzed, lambda conn: lineage_queries.review(conn, 20))
    assert_index_driven(plans)


def test_a_fan_in_trace_reads_only_the_runs_and_inputs_it_shows(never_analyzed: Client) -> None:
    plans = plans_of(never_analyzed, lambda conn: lineage_queries.trace(conn, "merged"))
    assert_index_driven(plans)
    graph = never_analyzed.trace("merged")
    assert sum(n["kind"] == "pointer" for n in graph["nodes"]) == 501


@pytest.mark.parametrize("target", ["model.pkl", "run:302"])  # the train run, which wrote model.pkl
def test_impact_reads_only_the_runs_and_outputs_downstream(never_analyzed: Client, target: str) -> None:
    assert_index_driven(plans_of(never_analyzed, lambda conn: impact_queries.impact(conn, parse_selector(target))))
    found = never_analyzed.impact(target)
    assert (found.endpoints, found.flagged) == (200_000, 100)
    assert found.components == ({"predict": 1000} if target == "model.pkl" else {"predict": 1000, "train": 1})


def test_recent_and_history_read_only_the_runs_they_list(never_analyzed: Client) -> None:
    assert_index_driven(plans_of(never_analyzed, lambda conn: queries.recent_runs(conn, 50)))
    assert_index_driven(plans_of(never_analyzed, lambda conn: queries.history(conn, "predict", 10)))


@pytest.mark.parametrize("q", ["p", "pred/1", "ed/17/", "nowhere-at-all"])
def test_search_reads_only_the_names_it_returns(never_analyzed: Client, q: str) -> None:
    assert_index_driven(plans_of(never_analyzed, lambda conn: search.search(conn, q, 20)))


def _indexes_read(plan: dict[str, Any]) -> list[str]:
    found = [plan["Index Name"]] if "Index Name" in plan else []
    for child in plan.get("Plans", []):
        found += _indexes_read(child)
    return found


def test_ingest_and_lookups_by_id_read_the_unique_index_not_the_trigram_index(pg_database: str, tmp_path: Path) -> None:
    """pg_trgm's index serves equality too, and PostgreSQL preferred it while a fresh table grew: looking up a
    batch's 5,000 names through it took 20 to 30 s, where the unique index takes milliseconds."""
    from tests.conftest import drop_schema, fresh_postgres_uri

    uri, schema = fresh_postgres_uri(pg_database)
    client = Client(uri, config=Config.from_env({"MLTRACE_HOME": str(tmp_path)}))
    logger = logging.getLogger("sqlalchemy.dialects.postgresql")
    notices, level = _Notices(), logger.level

    @event.listens_for(client.store.engine, "connect")
    def _explain_everything(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(_AUTO_EXPLAIN)
        cursor.close()
        dbapi_connection.commit()

    steps = [
        run(f"step{i % 4}", i, inputs=[f"item/{i - 1}"] if i % 4 else [], outputs=[f"item/{i}"]) for i in range(25_000)
    ]
    logger.addHandler(notices)
    logger.setLevel(logging.INFO)
    try:
        for start in range(0, len(steps), 5_000):
            client.ingest(steps[start : start + 5_000])
        client.pointer("item/7")
        client.trace("item/7")
    finally:
        logger.removeHandler(notices)
        logger.setLevel(level)
        from mltrace.db.store import dispose_engines

        dispose_engines()
        drop_schema(pg_database, schema)
    plans = [json.loads(m.split("plan:", 1)[1])["Plan"] for m in notices.messages if "plan:" in m]
    read = {index for plan in plans for index in _indexes_read(plan)}
    assert "io_pointers_name_key" in read
    assert search.INDEX not in read


def test_the_plans_are_read_from_the_statements_really_run(never_analyzed: Client, tmp_path: Path) -> None:
    """The helper sees a whole scan when there is one (so that the tests above can fail)."""
    plans = plans_of(never_analyzed, lambda conn: conn.exec_driver_sql("SELECT count(*) FROM run_outputs").all())
    assert whole_scans(plans[0]) == ["run_outputs"]
