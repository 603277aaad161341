"""Ingest throughput: runs/s from submission to `flush()` returning, on SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta, timezone

from bench.common import fresh_postgres_uri, report, scratch_dir
from mltrace.client import Client
from mltrace.config import Config
from mltrace.entities import ComponentRun, IOPointer, new_run_key

STAGES = ("ingest", "clean", "featurize", "predict")


def pipeline_records(n_runs: int, prefix: str = "") -> list[ComponentRun]:
    """A 4-stage pipeline repeated until `n_runs` runs, each stage reading the previous one's output."""
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    records = []
    for i in range(n_runs):
        k, item = i % 4, i // 4
        start = t0 + timedelta(milliseconds=i)
        source = IOPointer(f"{prefix}{item}/s{k}") if k else IOPointer(f"{prefix}raw/{item % 97}.csv")
        records.append(
            ComponentRun(
                key=new_run_key(),
                component_name=STAGES[k],
                start_timestamp=start,
                end_timestamp=start + timedelta(microseconds=500),
                inputs=[source],
                outputs=[IOPointer(f"{prefix}{item}/s{k + 1}")],
            )
        )
    return records


def throughput(uri: str, n_runs: int) -> float:
    """Runs/s through the background writer into `uri` (submit everything, then flush)."""
    client = Client(uri, config=Config.from_env({"MLTRACE_HOME": scratch_dir(), "MLTRACE_QUEUE_SIZE": "200000"}))
    client.store.ensure_ready()
    records = pipeline_records(n_runs)
    started = time.perf_counter()
    for record in records:
        client.submit(record)
    assert client.flush(600), "runs left in the spool"
    return n_runs / (time.perf_counter() - started)


def run(n_runs: int = 40_000, repeat: int = 3) -> dict[str, float]:
    """Median throughput of `repeat` loads, each into a fresh database."""
    results = {}
    targets = {
        "SQLite": lambda: f"sqlite:///{scratch_dir()}/ingest.db",
        "PostgreSQL": fresh_postgres_uri,
    }
    for label, new_uri in targets.items():
        rate = statistics.median(throughput(new_uri(), n_runs) for _ in range(repeat))
        results[label] = rate
        report(
            f"ingest throughput, {label} ({n_runs:,} runs incl. flush)",
            f"{rate:,.0f} runs/s",
            f"target ≥ 10,000 runs/s (PostgreSQL); median of {repeat}",
        )
    return results
