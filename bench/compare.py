"""Compare of 50 runs on PostgreSQL, served by the app (medians): runs with 10 params, 10 metrics and a 1,000-step
series each, among 1,000 such runs (1,000,000 series points in the store)."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import psycopg2

from bench.common import fresh_postgres_uri, paired_medians, report, settle_disks
from mltrace.client import Client
from mltrace.entities import ComponentRun, IOPointer, new_run_key
from mltrace.entities.times import now_utc
from mltrace.server.app import create_app

RUNS = 1_000
COMPARED = 50
STEPS = 1_000
VALUES = 10  # params and metrics per run
TARGET = "target ≤ 50 ms"


def _records() -> list[ComponentRun]:
    """RUNS training runs of one sweep, each reading the same features in one of ten versions."""
    t0 = now_utc().replace(year=2025, microsecond=0)
    return [
        ComponentRun(
            component_name="train",
            start_timestamp=t0 + timedelta(minutes=k),
            end_timestamp=t0 + timedelta(minutes=k, seconds=30 + k % 17),
            inputs=[IOPointer("features.csv", value_hash=f"v{k % 10}")],
            outputs=[IOPointer(f"models/{k}.pkl")],
            params={f"p{i}": (k * (i + 1)) % 13 if i % 2 else f"choice-{(k + i) % 5}" for i in range(VALUES)},
            metrics={f"m{i}": round(1 / (1 + (k + i) % 97), 6) for i in range(VALUES)},
            code_hash=f"{k % 3:064d}",
            key=new_run_key(),
        )
        for k in range(RUNS)
    ]


def _load_steps(uri: str, run_ids: list[int]) -> None:
    """A loss per step for every run, copied straight into run_metric_steps."""
    text = io.StringIO()
    for k, run_id in enumerate(run_ids):
        for step in range(STEPS):
            text.write(f"{run_id}\tloss\t{step}\t{1 / (1 + step * (1 + k % 10) / 100):.6f}\t2025-01-01 00:00:00+00\n")
    text.seek(0)
    conn = psycopg2.connect(uri)
    with conn, conn.cursor() as cur:
        cur.copy_expert("COPY run_metric_steps (run_id, key, step, num, ts) FROM STDIN", text)
    conn.close()


# The floor: the least any answer must read, on the raw driver: the compared runs' values and facts, and each
# run's series at every fifth step (200 points of 1,000, as mltrace samples it).
FLOOR_RUNS = (
    "SELECT id, component_name, status, code_hash, git_hash, params, metrics FROM component_runs WHERE id = ANY(%s)"
)
FLOOR_STEPS = "SELECT run_id, key, step, num FROM run_metric_steps WHERE run_id = ANY(%s) AND step %% 5 = 0"


def run() -> dict[str, float]:
    uri = fresh_postgres_uri()
    client = Client(uri)
    started = time.perf_counter()
    run_ids = client.ingest(_records())
    _load_steps(uri, run_ids)
    loaded = time.perf_counter() - started
    settle_disks()
    ids = run_ids[:: RUNS // COMPARED][:COMPARED]
    query = ",".join(map(str, ids))
    api = create_app({"DB_URI": uri}).test_client()
    answer = api.get(f"/api/v1/compare?ids={query}").get_json()
    assert len(answer["runs"]) == COMPARED and len(answer["series"][0]["runs"]) == COMPARED, answer.keys()
    assert all(len(s["steps"]) <= 200 and s["count"] == STEPS for s in answer["series"][0]["runs"])
    raw = psycopg2.connect(uri)

    def floor() -> None:
        with raw, raw.cursor() as cur:
            cur.execute(FLOOR_RUNS, (ids,))
            cur.fetchall()
            cur.execute(FLOOR_STEPS, (ids,))
            cur.fetchall()

    def served() -> None:
        response = api.get(f"/api/v1/compare?ids={query}")
        assert response.status_code == 200
        response.get_data()

    http, bare = paired_medians(served, floor, repeat=21, warmup=2)
    queried, _ = paired_medians(lambda: client.compare(ids), floor, repeat=21, warmup=2)
    whole, _ = paired_medians(lambda: api.get(f"/api/v1/compare?ids={query}&points={STEPS}").get_data(), floor, 11, 1)
    raw.close()
    size = len(api.get(f"/api/v1/compare?ids={query}").get_data())
    report(f"compare of {COMPARED} runs over HTTP (app, {size / 1e3:,.0f} kB)", f"{http * 1e3:,.1f} ms", TARGET)
    report(f"  Client.compare, {len(answer['rows'])} rows, 200 points a series", f"{queried * 1e3:,.1f} ms")
    report("  floor: the runs, then every fifth step (raw driver)", f"{bare * 1e3:,.1f} ms", f"{http / bare:.2f}×")
    report(f"  over HTTP with whole series ({STEPS:,} points each)", f"{whole * 1e3:,.1f} ms")
    report(f"  loaded {RUNS:,} runs and {RUNS * STEPS:,} points in", f"{loaded:,.1f} s")
    return {"http_ms": http * 1e3, "client_ms": queried * 1e3, "floor_ms": bare * 1e3, "whole_series_ms": whole * 1e3}
