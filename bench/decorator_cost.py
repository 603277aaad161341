"""Added cost of a decorated call, measured side by side with the undecorated function.

Two bodies: an empty one (the decorator's fixed cost) and one making 2,000 Python calls, since a
per-call hook (a trace function) would tax every one of them. Decorated and undecorated calls
alternate, so load from other processes falls on both; the figures are medians of single-call
latencies (what the pipeline waits on) and their ratio. The amortised figure times back-to-back
calls until every run is stored, so it also pays the background writer's share of the interpreter.
Settings are the defaults (queue size included) and every run carries the code snapshot of this file.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import mltrace
from bench.common import report, scratch_dir

BUSY_CALLS = 2_000


def _step(total: int) -> int:
    return total + 1


def empty_body(i: int) -> str:
    out = f"out/{i}.csv"
    return out


def busy_body(i: int) -> str:
    total = 0
    for _ in range(BUSY_CALLS):
        total = _step(total)
    out = f"out/{i + total}.csv"
    return out


def _side_by_side(plain: Callable[[int], Any], decorated: Callable[[int], Any], calls: int) -> tuple[float, float]:
    """Median latency in ns of `plain` and of `decorated`, called alternately."""
    clock = time.perf_counter_ns
    plain_ns, decorated_ns = [], []
    for i in range(calls):
        started = clock()
        plain(i)
        middle = clock()
        decorated(i)
        ended = clock()
        plain_ns.append(middle - started)
        decorated_ns.append(ended - middle)
    return statistics.median(plain_ns), statistics.median(decorated_ns)


def _amortised_us(fn: Callable[[int], Any], calls: int) -> float:
    started = time.perf_counter()
    for i in range(calls):
        fn(i)
    mltrace.flush(120)
    return (time.perf_counter() - started) / calls * 1e6


def run(calls: int = 20_000) -> dict[str, float]:
    """Added µs per call and the decorated/undecorated ratio for each body and decorator."""
    home = scratch_dir()
    mltrace.set_db_uri(f"sqlite:///{home}/bench.db")
    cases = [
        ("empty body, static names", empty_body, mltrace.register("bench", inputs=["in.csv"], outputs=["out.csv"]), 15),
        ("empty body, output_vars", empty_body, mltrace.register("bench_vars", output_vars=["out"]), 15),
        ("2,000-call body, output_vars", busy_body, mltrace.register("bench_busy", output_vars=["out"]), 20),
    ]
    results: dict[str, float] = {}
    for label, body, decorator, target_us in cases:
        decorated = decorator(body)
        decorated(-1)  # first run: the store is made and migrated
        assert mltrace.flush(60)
        n = calls if body is empty_body else calls // 4
        plain_ns, decorated_ns = _side_by_side(body, decorated, n)
        assert mltrace.flush(120)
        added_us = (decorated_ns - plain_ns) / 1000
        amortised_us = _amortised_us(decorated, n) - plain_ns / 1000
        results[f"{label}: added µs"] = added_us
        results[f"{label}: ratio"] = decorated_ns / plain_ns
        results[f"{label}: amortised added µs"] = amortised_us
        report(
            f"added latency, {label}",
            f"{added_us:.1f} µs",
            f"target ≤ {target_us} µs (undecorated {plain_ns / 1000:.1f} µs, ×{decorated_ns / plain_ns:.2f})",
        )
        report("  amortised incl. background storing into SQLite", f"{amortised_us:.1f} µs", "")
    return results
