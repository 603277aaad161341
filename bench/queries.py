"""Query latency against the floor (`bench/floor.py`), side by side on the same data: PostgreSQL and SQLite,
10,000 and 100,000 runs, on tables never analyzed and then analyzed; search over 1,000,000 output ids."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
from sqlalchemy import text

from bench.common import fresh_postgres_uri, paired_medians, ratio_header, ratio_row, scratch_dir, settle_disks
from bench.data import CHAIN, FAN_IN, lineage_records, prediction_ids
from bench.floor import BATCH, Floor, PostgresFloor, SqliteFloor
from mltrace.client import Client
from mltrace.config import Config
from mltrace.entities import ComponentRun

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "10000 100000").split())
SEARCH_POINTERS = int(os.environ.get("BENCH_SEARCH_POINTERS", "1000000"))
TARGET = "≤ 2×"
Figure = tuple[str, Callable[[], object], Callable[[], object], int, str]


@contextmanager
def stores(dialect: str) -> Iterator[tuple[Client, Floor, Callable[[], None]]]:
    """An empty mltrace store and an empty floor on `dialect`, both never analyzed, and what analyzes both."""
    config = Config.from_env({"MLTRACE_HOME": scratch_dir()})
    if dialect == "postgresql":
        uri, floor_dsn = fresh_postgres_uri(), fresh_postgres_uri()
        client = Client(uri, config=config)
        client.store.ensure_ready()
        floor: Floor = PostgresFloor(floor_dsn)
        for dsn in (uri, floor_dsn):
            _without_autovacuum(dsn)
    else:
        folder = scratch_dir()
        client = Client(f"sqlite:///{folder}/mltrace.db", config=config)
        client.store.ensure_ready()
        floor = SqliteFloor(f"{folder}/floor.db")

    def analyze() -> None:
        with client.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        floor.analyze()

    yield client, floor, analyze


@contextmanager
def _long_statements() -> Iterator[None]:
    """A statement timeout for stores made inside the block long enough to load a million ids: a batch of the
    writer's size is 1,000,000 names, whose trigram index took PostgreSQL longer than the default 10 s on a busy
    host. The searches timed take milliseconds."""
    before = os.environ.get("MLTRACE_STORE_TIMEOUT")
    os.environ["MLTRACE_STORE_TIMEOUT"] = "600"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MLTRACE_STORE_TIMEOUT")
        else:
            os.environ["MLTRACE_STORE_TIMEOUT"] = before


def _without_autovacuum(dsn: str) -> None:
    """Keeps autovacuum from analyzing the tables while the fresh figures are taken."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        for (table,) in cur.fetchall():
            cur.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')
    conn.close()


def load(client: Client, floor: Floor, records: list[ComponentRun]) -> None:
    """The same runs into both, in batches of the writer's default size."""
    for start in range(0, len(records), BATCH):
        client.ingest(records[start : start + BATCH])
    floor.load(records)


def lineage_figures(client: Client, floor: Floor, flagged: list[str]) -> list[Figure]:
    """(name, mltrace's call, the floor's call, repeats, unit) for each figure, after checking both agree."""
    predict_run = client.history("predict", 1)[0].id
    assert predict_run is not None
    prediction = flagged[0]
    _same_trace(client.trace(prediction), floor.trace(prediction))
    _same_trace(client.trace(CHAIN), floor.trace(CHAIN))
    _same_trace(client.trace(FAN_IN), floor.trace(FAN_IN))
    assert [r.id for r in client.recent(50)] == [r[0] for r in floor.recent(50)]
    ours, theirs = client.review(), floor.review()
    assert [(r.id, count) for r, count, *_ in ours["runs"]] == [(r[0], count) for r, count, *_ in theirs[1]]
    return [
        ("recent (50 runs)", lambda: client.recent(50), lambda: floor.recent(50), 101, "µs"),
        (
            "history (10 runs of a component)",
            lambda: client.history("predict", 10),
            lambda: floor.history("predict", 10),
            31,
            "µs",
        ),
        (
            "inspect (a run of 202 pointers)",
            lambda: client.get_run(predict_run),
            lambda: floor.inspect(predict_run),
            31,
            "µs",
        ),
        ("trace of a prediction", lambda: client.trace(prediction), lambda: floor.trace(prediction), 101, "µs"),
        ("flag", lambda: client.flag(prediction, "bench"), lambda: floor.flag(prediction, "bench"), 101, "µs"),
        ("review (100 flagged)", lambda: client.review(), lambda: floor.review(), 11, "ms"),
        ("trace, 1,000-deep chain", lambda: client.trace(CHAIN), lambda: floor.trace(CHAIN), 21, "ms"),
        ("trace, 500-input fan-in", lambda: client.trace(FAN_IN), lambda: floor.trace(FAN_IN), 21, "ms"),
    ]


def _same_trace(ours: dict[str, Any], floor: dict[str, Any]) -> None:
    """Both answer the same question: the same nodes and edges (run ids agree: both number runs as they come)."""
    assert {n["id"] for n in ours["nodes"]} == {n["id"] for n in floor["nodes"]}
    assert {(e["source"], e["target"]) for e in ours["edges"]} == {(e["source"], e["target"]) for e in floor["edges"]}


def search_figures(client: Client, floor: Floor, names: list[str]) -> list[Figure]:
    """Command-bar searches as someone types: one character, the start of an id, a fragment from its middle,
    a whole id, and text that matches nothing."""
    known = names[len(names) // 2]
    cases = {
        "search 'p'": "p",
        "search the start of an id": known[:9],
        "search a fragment of an id": known[12:20],
        "search a whole id": known,
        "search text found nowhere": "zz-nowhere",
    }
    figures: list[Figure] = []
    for label, q in cases.items():
        ours = [(r["kind"], r["value"]) for r in client.search(q)]
        assert ours == floor.search(q, 20), (q, ours, floor.search(q, 20))
        figures.append((label, lambda q=q: client.search(q), lambda q=q: floor.search(q, 20), 51, "ms"))
    return figures


def time_figures(figures: list[Figure], db: str, tables: str, results: dict[str, Any]) -> None:
    """Times each figure side by side with its floor and prints its row."""
    for name, ours, floor, repeat, unit in figures:
        ours_s, floor_s = paired_medians(ours, floor, repeat=repeat)
        ratio = ratio_row(name, db, tables, ours_s, floor_s, unit, TARGET)
        results[f"{name} | {db} | {tables}"] = {"mltrace_s": ours_s, "floor_s": floor_s, "ratio": ratio}


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    dialects = [d for d in ("postgresql", "sqlite") if d in os.environ.get("BENCH_DATABASES", "postgresql sqlite")]
    ratio_header()
    for dialect in dialects:
        label = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[dialect]
        for size in SIZES:
            records, flagged = lineage_records(size)
            with stores(dialect) as (client, floor, analyze):
                load(client, floor, records)
                for name in flagged:
                    client.flag(name, "bench")
                    floor.flag(name, "bench")
                settle_disks()
                figures = lineage_figures(client, floor, flagged)
                db = f"{label} {size // 1000}k"
                time_figures(figures, db, "fresh", results)
                analyze()
                time_figures(figures, db, "analyzed", results)
        if not SEARCH_POINTERS:
            continue
        records = prediction_ids(SEARCH_POINTERS)
        names = [p.name for r in records for p in r.outputs]
        with _long_statements(), stores(dialect) as (client, floor, analyze):
            load(client, floor, records)
            settle_disks()
            figures = search_figures(client, floor, names)
            db = f"{label} {SEARCH_POINTERS // 1000:,}k ids"
            time_figures(figures, db, "fresh", results)
            analyze()
            time_figures(figures, db, "analyzed", results)
    return results
