"""Helpers shared by the benchmarks: timing side by side, fresh databases, the table of ratios."""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable

import psycopg2

PG_ADMIN = os.environ.get("MLTRACE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
PG_DATABASE = "mltrace_bench"


def median_seconds(fn: Callable[[], object], repeat: int = 21, warmup: int = 2) -> float:
    """Median wall time of `fn` over `repeat` runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def paired_medians(
    ours: Callable[[], object], floor: Callable[[], object], repeat: int = 21, warmup: int = 2
) -> tuple[float, float]:
    """Median wall times of `ours` and `floor`, timed in turn, so that both see the same moments of a noisy host."""
    for _ in range(warmup):
        ours()
        floor()
    ours_samples, floor_samples = [], []
    clock = time.perf_counter
    for _ in range(repeat):
        started = clock()
        ours()
        middle = clock()
        floor()
        ours_samples.append(middle - started)
        floor_samples.append(clock() - middle)
    return statistics.median(ours_samples), statistics.median(floor_samples)


def scratch_dir(prefix: str = "mltrace-bench-") -> str:
    """A temporary folder, removed when the benchmark's process ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def settle_disks() -> None:
    """Waits until what earlier benchmarks wrote is on disk: the kernel writing it back (a spool of 100,000
    runs, dropped databases) while queries are timed slowed PostgreSQL's bare walk by half."""
    os.sync()


def fresh_postgres_uri() -> str:
    """A new schema in the benchmark database, as a URI."""
    conn = psycopg2.connect(f"{PG_ADMIN}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    conn.close()
    schema = f"b_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE SCHEMA "{schema}"')
    atexit.register(_admin, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return f"{PG_ADMIN}/{PG_DATABASE}?options=-csearch_path%3D{schema}"


def _admin(statement: str) -> None:
    conn = psycopg2.connect(f"{PG_ADMIN}/{PG_DATABASE}")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def report(name: str, value: str, target: str = "") -> None:
    """One line of the results table."""
    print(f"{name:<58} {value:>16}   {target}", flush=True)


def load_average() -> str:
    """The host's load averages over 1, 5 and 15 minutes."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def ratio_header() -> None:
    """The header of the table of ratios."""
    print(f"| {'figure':<44} | {'db':<10} | {'tables':<8} | {'mltrace':>10} | {'floor':>10} | {'ratio':>6} | target")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 10}|{'-' * 12}|{'-' * 12}|{'-' * 8}|-------")


def ratio_row(figure: str, db: str, tables: str, ours: float, floor: float, unit: str, target: str) -> float:
    """One row of the table of ratios (times in seconds, shown in `unit`; rates as they are); returns the ratio."""
    scale = {"ms": 1e3, "µs": 1e6, "runs/s": 1.0}[unit]
    ratio = ours / floor if floor else float("inf")
    shown = f"{ours * scale:,.2f} {unit}" if unit != "runs/s" else f"{ours:,.0f}"
    floor_shown = f"{floor * scale:,.2f} {unit}" if unit != "runs/s" else f"{floor:,.0f}"
    print(f"| {figure:<44} | {db:<10} | {tables:<8} | {shown:>10} | {floor_shown:>10} | {ratio:>5.2f}× | {target}")
    return ratio
