"""Impact's count summary of one raw input that fed 100,000 predictions, on PostgreSQL (medians)."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import psycopg2

from bench.common import fresh_postgres_uri, median_seconds, paired_medians, report
from mltrace.client import Client
from mltrace.entities import ComponentRun, IOPointer, PointerType, new_run_key
from mltrace.entities.times import now_utc

PREDICTIONS = 100_000
BATCH = 5_000


def _records(batches: int, per_run: int) -> list[ComponentRun]:
    """raw.csv → clean → train, then `batches` predict runs writing `per_run` endpoint outputs each."""
    t0 = now_utc().replace(year=2025)

    def record(component: str, at: int, inputs: list[str], outputs: list[IOPointer]) -> ComponentRun:
        start = t0.replace(microsecond=0) + timedelta(seconds=at)
        end = start + timedelta(seconds=1)
        return ComponentRun(
            component_name=component,
            start_timestamp=start,
            end_timestamp=end,
            inputs=[IOPointer(name) for name in inputs],
            outputs=outputs,
            key=new_run_key(),
        )

    records = [
        record("clean", 0, ["raw.csv"], [IOPointer("clean.csv")]),
        record("train", 10, ["clean.csv"], [IOPointer("model.pkl")]),
    ]
    for b in range(batches):
        outputs = [IOPointer(f"pred/{b}/{i}", PointerType.ENDPOINT) for i in range(per_run)]
        records.append(record("predict", 20 + b, ["model.pkl"], outputs))
    return records


# The floor: the least any answer must do, the affected runs' outputs joined to their pointers (type and flag) and
# counted, in one statement on the raw driver, with the planner settings of mltrace's walks.
FLOOR = """
SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;
SELECT COUNT(*), SUM(CASE WHEN p.flag THEN 1 ELSE 0 END)
FROM run_outputs o JOIN io_pointers p ON p.id = o.pointer_id
WHERE o.run_id = ANY(%s) AND p.pointer_type = 'endpoint'
"""


def _case(label: str, batches: int, per_run: int) -> dict[str, float]:
    uri = fresh_postgres_uri()
    client = Client(uri)
    records = _records(batches, per_run)
    started = time.perf_counter()
    ids: list[int] = []
    for i in range(0, len(records), BATCH):
        ids += client.ingest(records[i : i + BATCH])
    loaded = time.perf_counter() - started
    found = client.impact("raw.csv")
    assert found.endpoints == PREDICTIONS and found.runs == batches + 2, found
    raw = psycopg2.connect(uri)

    def floor() -> None:
        with raw, raw.cursor() as cur:
            cur.execute(FLOOR, (ids,))
            cur.fetchall()

    summary, bare = paired_medians(lambda: client.impact("raw.csv"), floor, repeat=11, warmup=1)
    from_run = median_seconds(lambda: client.impact(f"run:{ids[1]}", limit=5), repeat=11, warmup=1)
    started = time.perf_counter()
    flagged = client.flag_impact("raw.csv", "bench")
    flag_once = time.perf_counter() - started
    assert flagged == PREDICTIONS
    again = median_seconds(lambda: client.flag_impact("raw.csv", "bench"), repeat=5, warmup=0)
    raw.close()
    report(f"impact summary, {label} (loaded in {loaded:.0f} s)", f"{summary * 1e3:,.1f} ms", "target ≤ 300 ms")
    report("  floor: the affected outputs joined to their pointers", f"{bare * 1e3:,.1f} ms", f"{summary / bare:.2f}×")
    report(f"  impact of the train run, {label}", f"{from_run * 1e3:,.1f} ms")
    report(f"  --flag of {PREDICTIONS:,} outputs, first / again", f"{flag_once * 1e3:,.0f} / {again * 1e3:,.0f} ms")
    return {
        "summary_ms": summary * 1e3,
        "floor_ms": bare * 1e3,
        "from_run_ms": from_run * 1e3,
        "flag_ms": flag_once * 1e3,
        "again_ms": again * 1e3,
    }


def run() -> dict[str, dict[str, float]]:
    cases = {"1000_runs_of_100": _case("1,000 runs of 100 predictions", 1_000, 100)}
    if os.environ.get("BENCH_IMPACT_WIDE"):  # 100,000 runs take minutes to load on two shared cores
        cases["100000_runs_of_1"] = _case("100,000 runs of 1 prediction", PREDICTIONS, 1)
    return cases
