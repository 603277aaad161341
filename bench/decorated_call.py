"""One decorated call against the floor's: the median latency a pipeline waits on, per call, in a main process
and in a `multiprocessing` child (where each run is also journaled, `mltrace/delivery/journal.py`).

The floor's decorator does the least a logging decorator must: read the clock before and after the call, and
queue a record of the component, times, inputs, outputs and a unique key for a background writer."""

from __future__ import annotations

import collections
import functools
import multiprocessing
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


def _step(i: int) -> str:
    return f"out/{i}.csv"


def _medians() -> tuple[float, float]:
    """Median seconds of one call, mltrace's and the floor's, timed in turn."""
    ours = mltrace.register("bench", inputs=["in.csv"], outputs=["out.csv"])(_step)
    floor = floor_register("bench", inputs=["in.csv"], outputs=["out.csv"])(_step)
    ours(-1)
    mltrace.flush(60)
    ours_ns, floor_ns = [], []
    for _ in range(5):  # in turn, so that both see the same moments of a noisy host
        ours_ns.append(statistics.median(_latencies(ours, CALLS // 5)))
        floor_ns.append(statistics.median(_latencies(floor, CALLS // 5)))
        mltrace.flush(120)
    return statistics.median(ours_ns) / 1e9, statistics.median(floor_ns) / 1e9


def _medians_in_child(results: Any) -> None:
    results.put(_medians())


def run() -> dict[str, Any]:
    mltrace.set_db_uri(f"sqlite:///{scratch_dir()}/bench.db")
    ours_s, floor_s = _medians()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_medians_in_child, args=(results,))
    child.start()
    child_ours_s, child_floor_s = results.get(timeout=600)
    child.join(60)
    ratio_header()
    ratio = ratio_row("one decorated call (static names)", "SQLite", "-", ours_s, floor_s, "µs", "≤ 2×")
    in_child = ("the same, in a multiprocessing child", "SQLite", "-", child_ours_s, child_floor_s, "µs", "-")
    child_ratio = ratio_row(*in_child)
    return {
        "one decorated call": {"mltrace_s": ours_s, "floor_s": floor_s, "ratio": ratio},
        "in a multiprocessing child": {"mltrace_s": child_ours_s, "floor_s": child_floor_s, "ratio": child_ratio},
    }
