"""Added cost of a decorated call: the median latency of single calls (what the pipeline waits on),
and the amortised cost of back-to-back calls, which also pays for the background writer's share of
the interpreter while it stores the runs."""

from __future__ import annotations

import statistics
import time

import mltrace
from bench.common import report, scratch_dir


def _call_latencies(fn, calls: int) -> list[int]:
    clock = time.perf_counter_ns
    samples = []
    for i in range(calls):
        started = clock()
        fn(i)
        samples.append(clock() - started)
    return samples


def _amortised(fn, calls: int) -> float:
    started = time.perf_counter()
    for i in range(calls):
        fn(i)
    mltrace.flush(120)
    return (time.perf_counter() - started) / calls


def run(calls: int = 20_000) -> dict[str, float]:
    """Added µs per call for a decorator with static names and one capturing locals."""
    home = scratch_dir()
    mltrace.set_db_uri(f"sqlite:///{home}/bench.db")

    def plain(i):
        out = f"out/{i}.csv"
        return out

    decorated = mltrace.register("bench", inputs=["in.csv"], outputs=["out.csv"])(plain)
    with_locals = mltrace.register("bench_vars", input_vars=["i"], output_vars=["out"])(plain)
    decorated(-1)
    mltrace.flush(60)
    base = statistics.median(_call_latencies(plain, calls))
    results = {}
    for label, fn in (("static names", decorated), ("input_vars/output_vars", with_locals)):
        added_us = (statistics.median(_call_latencies(fn, calls)) - base) / 1000
        mltrace.flush(120)
        amortised_us = (_amortised(fn, calls) - base / 1e9) * 1e6
        results[label] = added_us
        results[f"{label} amortised incl. background storing"] = amortised_us
        report(f"added latency per decorated call ({label})", f"{added_us:.1f} µs", "target ≤ 50 µs (median)")
        report("  amortised incl. background storing into SQLite", f"{amortised_us:.1f} µs", "")
    return results
