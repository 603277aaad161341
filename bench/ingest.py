"""Logging until stored, against the floor: runs/s from the first `submit` to `flush()` returning, with the
default settings and runs that carry a real code snapshot, on PostgreSQL and SQLite; the floor stores the same
runs in batches of the same size (`bench/floor.py`)."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from bench.common import fresh_postgres_uri, ratio_header, ratio_row, scratch_dir
from bench.data import pipeline_records
from bench.floor import Floor, PostgresFloor, SqliteFloor
from mltrace.client import Client
from mltrace.config import Config
from mltrace.entities import ComponentRun

SIZES = tuple(int(n) for n in os.environ.get("BENCH_INGEST_SIZES", "10000 100000").split())
REPEAT = 3


def mltrace_rate(uri: str, records: list[ComponentRun]) -> float:
    """Runs/s through the background writer into `uri`, default settings (submit everything, then flush)."""
    client = Client(uri, config=Config.from_env({"MLTRACE_HOME": scratch_dir()}))
    client.store.ensure_ready()
    started = time.perf_counter()
    for record in records:
        client.submit(record)
    assert client.flush(900), "runs left in the spool"
    rate = len(records) / (time.perf_counter() - started)
    client.writer.close(10)
    return rate


def floor_rate(floor: Floor, records: list[ComponentRun]) -> float:
    started = time.perf_counter()
    floor.load(records)
    return len(records) / (time.perf_counter() - started)


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    ratio_header()
    targets = {
        "PostgreSQL": (fresh_postgres_uri, lambda: PostgresFloor(fresh_postgres_uri())),
        "SQLite": (lambda: f"sqlite:///{scratch_dir()}/ingest.db", lambda: SqliteFloor(f"{scratch_dir()}/floor.db")),
    }
    for size in SIZES:
        records = pipeline_records(size, with_code=True)
        for label, (new_uri, new_floor) in targets.items():
            ours, floors = [], []
            for _ in range(REPEAT):  # in turn, each into a fresh database
                ours.append(mltrace_rate(new_uri(), records))
                floors.append(floor_rate(new_floor(), records))
            name = f"logging {size:,} runs until stored (runs/s)"
            ratio = ratio_row(
                name, label, "-", statistics.median(ours), statistics.median(floors), "runs/s", "≥ 0.5× (rate)"
            )
            results[f"{name} | {label}"] = {"mltrace": ours, "floor": floors, "ratio": ratio}
    return results
