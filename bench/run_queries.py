"""Runs queried by their values on PostgreSQL, 100,000 runs of 10 params and 10 metrics each (medians): a filtered
page, `to_df` of every run, and the CSV export streamed (its rate and its memory)."""

from __future__ import annotations

import random
import time
import tracemalloc
from datetime import timedelta

from bench.common import fresh_postgres_uri, median_seconds, report
from bench.data import T0
from mltrace.client import Client
from mltrace.entities import ComponentRun, new_run_key

RUNS = 100_000
BATCH = 5_000
MODELS = ("resnet18", "resnet50", "vit", "mlp", "xgboost")
FILTER = "metrics.accuracy > 0.95 and params.model = 'resnet18'"


def _records(start: int, count: int, rng: random.Random) -> list[ComponentRun]:
    records = []
    for i in range(start, start + count):
        began = T0 + timedelta(seconds=i)
        params = {"model": MODELS[i % 5], **{f"p{k}": rng.random() for k in range(9)}}
        metrics = {"accuracy": rng.random(), **{f"m{k}": rng.random() for k in range(9)}}
        records.append(
            ComponentRun(
                component_name=("train", "eval")[i % 2],
                start_timestamp=began,
                end_timestamp=began + timedelta(milliseconds=500),
                params=params,
                metrics=metrics,
                key=new_run_key(),
            )
        )
    return records


def run() -> dict[str, float]:
    client = Client(fresh_postgres_uri())
    rng = random.Random(14)
    started = time.perf_counter()
    for start in range(0, RUNS, BATCH):
        client.ingest(_records(start, BATCH, rng))
    loaded = time.perf_counter() - started
    page = client.search_runs(FILTER, limit=20)
    assert len(page) == 20, len(page)
    filtered = median_seconds(lambda: client.search_runs(FILTER, limit=20), repeat=21)
    frame = median_seconds(lambda: client.to_df(), repeat=3, warmup=1)
    assert len(client.to_df()) == RUNS

    def export() -> int:
        return sum(len(chunk) for chunk in client.export_text("csv"))

    streamed = median_seconds(export, repeat=3, warmup=1)
    tracemalloc.start()
    export()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    report(f"load {RUNS:,} runs × 20 values (ingest)", f"{loaded:,.1f} s")
    report(f"filtered page: {FILTER}, 20 runs", f"{filtered * 1e3:,.2f} ms", "target ≤ 20 ms")
    report(f"to_df of {RUNS:,} runs", f"{frame:,.2f} s", "target ≤ 2 s")
    report(f"CSV export of {RUNS:,} runs, streamed", f"{RUNS / streamed:,.0f} runs/s", "target ≥ 50,000 runs/s")
    report("  its peak of Python memory (tracemalloc)", f"{peak / 2**20:,.1f} MiB")
    return {
        "load_s": loaded,
        "filtered_ms": filtered * 1e3,
        "to_df_s": frame,
        "export_runs_per_s": RUNS / streamed,
        "export_peak_mib": peak / 2**20,
    }
