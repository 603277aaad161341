"""One decorated call against the floor's: the median latency a pipeline waits on, per call.

The floor's decorator does the least a logging decorator must: read the clock before and after the call, and
queue a record of the component, times, inputs, outputs and a unique key for a background writer."""

from __future__ import annotations

import collections
import functools
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import mltrace
from bench.common import ratio_header, ratio_row, scratch_dir

CALLS = 20_000


def floor_register(component: str, inputs: list[str], outputs: list[str]) -> Callable[[Callable[..., Any]], Any]:
    """The floor's decorator (its queue is never drained: storing is the writer's share, timed by `ingest`)."""
    queue: collections.deque[tuple[Any, ...]] = collections.deque()
    clock = time.time

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            value = fn(*args, **kwargs)
            queue.append((component, start, clock(), inputs, outputs, os.urandom(8)))
            return value

        return wrapper

    return decorate


def _latencies(fn: Callable[[int], object], calls: int) -> list[int]:
    clock = time.perf_counter_ns
    samples = []
    for i in range(calls):
        started = clock()
        fn(i)
        samples.append(clock() - started)
    return samples


def run() -> dict[str, Any]:
    home = scratch_dir()
    mltrace.set_db_uri(f"sqlite:///{home}/bench.db")

    def step(i: int) -> str:
        return f"out/{i}.csv"

    ours = mltrace.register("bench", inputs=["in.csv"], outputs=["out.csv"])(step)
    floor = floor_register("bench", inputs=["in.csv"], outputs=["out.csv"])(step)
    ours(-1)
    mltrace.flush(60)
    ours_ns, floor_ns = [], []
    for _ in range(5):  # in turn, so that both see the same moments of a noisy host
        ours_ns.append(statistics.median(_latencies(ours, CALLS // 5)))
        floor_ns.append(statistics.median(_latencies(floor, CALLS // 5)))
        mltrace.flush(120)
    ours_s, floor_s = statistics.median(ours_ns) / 1e9, statistics.median(floor_ns) / 1e9
    ratio_header()
    ratio = ratio_row("one decorated call (static names)", "SQLite", "-", ours_s, floor_s, "µs", "≤ 2×")
    return {"one decorated call": {"mltrace_s": ours_s, "floor_s": floor_s, "ratio": ratio}}
