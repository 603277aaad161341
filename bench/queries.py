"""Trace and query latency on PostgreSQL with 100,000 stored runs (Python API, medians)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import psycopg2
from sqlalchemy import text

from bench.common import fresh_postgres_uri, median_seconds, report, scratch_dir, settle_disks
from bench.ingest import pipeline_records
from mltrace.client import Client
from mltrace.config import Config
from mltrace.entities import ComponentRun, IOPointer, new_run_key

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _run(component: str, second: float, inputs: list[str], outputs: list[str]) -> ComponentRun:
    start = T0 + timedelta(seconds=second)
    return ComponentRun(
        key=new_run_key(),
        component_name=component,
        start_timestamp=start,
        end_timestamp=start + timedelta(seconds=0.5),
        inputs=[IOPointer(n) for n in inputs],
        outputs=[IOPointer(n) for n in outputs],
    )


def dataset(total_runs: int = 100_000) -> tuple[list[ComponentRun], list[str]]:
    """A 1,000-deep chain, a 500-input fan-in, a prediction pipeline with 100,000 predictions
    (100 of them from a planted bad batch) and filler pipelines up to `total_runs` runs."""
    records: list[ComponentRun] = []
    t = 10_000.0
    for i in range(1000):
        records.append(_run("chain", t + i, [f"chain/{i}"] if i else [], [f"chain/{i + 1}"]))
    t += 2000
    for i in range(500):
        records.append(_run("source", t + i, [], [f"src/{i}"]))
    records.append(_run("merge", t + 600, [f"src/{i}" for i in range(500)], ["merged"]))
    t += 1000
    records.append(_run("train", t, ["history.csv"], ["model.pkl"]))
    for b in range(200):
        records.append(_run("ingest", t + 10 + b, [f"raw/{b}"], [f"batch/{b}"]))
        records.append(_run("featurize", t + 300 + b, [f"batch/{b}"], [f"features/{b}"]))
    flagged: list[str] = []
    for p in range(500):  # 500 predict runs × 200 predictions; runs on batch 7 are the bad ones
        batch = p % 200
        names = [f"pred/{p}/{k}" for k in range(200)]
        records.append(_run("predict", t + 600 + p, [f"features/{batch}", "model.pkl"], names))
        if batch == 7 and len(flagged) < 100:
            flagged += random.Random(p).sample(names, 34)
    filler = total_runs - len(records)
    records[:0] = pipeline_records(filler, prefix="filler/")
    return records, flagged[:100]


def run() -> dict[str, float]:
    uri = fresh_postgres_uri()
    client = Client(uri, config=Config.from_env({"MLTRACE_HOME": scratch_dir()}))
    records, flagged = dataset()
    for i in range(0, len(records), 2000):
        client.ingest(records[i : i + 2000])
    for name in flagged:
        client.flag(name, "bench")
    # what autovacuum does within a minute of a bulk load (inserts trigger VACUUM too since PostgreSQL 13)
    with client.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
        conn.execute(text("CHECKPOINT"))  # write the load's pages now, not while the queries are timed
    settle_disks()
    chain_writer, predict_run = client.history("chain", limit=1)[0].id, client.history("predict", limit=1)[0].id
    assert chain_writer is not None and predict_run is not None
    bare_walk = _bare_walk(uri, chain_writer)
    timings = {
        "trace of the 1,000-deep chain": (lambda: client.trace("chain/1000"), "≤ 10 ms"),
        "for scale: the chain's bare recursive walk (psycopg2)": (bare_walk, ""),
        "trace of the 500-input fan-in": (lambda: client.trace("merged"), "≤ 10 ms"),
        "recent (20 runs)": (lambda: client.recent(20), "≤ 2 ms"),
        "history (10 runs of predict)": (lambda: client.history("predict", 10), "≤ 2 ms"),
        "inspect (one run)": (lambda: client.get_run(predict_run), "≤ 2 ms"),
        "review (100 flagged among 100,000 predictions)": (lambda: client.review(), "≤ 1 s"),
    }
    chain = client.trace("chain/1000")
    assert sum(n["kind"] == "run" for n in chain["nodes"]) == 1000
    top = client.review()["runs"][0][0]
    assert top.component_name == "featurize" or top.component_name == "ingest", top
    results = {}
    for name, (fn, target) in timings.items():
        seconds = median_seconds(fn, repeat=5 if name.startswith("review") else 31)
        results[name] = seconds
        report(f"{name}, PostgreSQL 100k runs", f"{seconds * 1000:.2f} ms", f"target {target}" if target else "")
    return results


def _bare_walk(uri: str, start: int) -> Callable[[], object]:
    """The chain's recursive walk alone, over `run_dependencies`, as plain psycopg2 runs it: what the host
    gives a minimal recursive query, to read the trace figures against on a noisy machine."""
    conn = psycopg2.connect(uri)
    conn.autocommit = True
    cursor = conn.cursor()
    cursor.execute("SET enable_hashjoin = off; SET enable_mergejoin = off; SET jit = off")
    sql = (
        "WITH RECURSIVE walk(via, run_id, pointer_id) AS (SELECT NULL::int, %s::int, NULL::int UNION "
        "SELECT d.run_id, d.upstream_id, d.pointer_id FROM walk JOIN run_dependencies d ON d.run_id = walk.run_id) "
        "SELECT via, run_id, pointer_id FROM walk"
    )

    def walk() -> object:
        cursor.execute(sql, (start,))
        return cursor.fetchall()

    return walk
