"""The trace diff: aligning and ranking two 1,000-run traces, alone and through `Client.diff` on SQLite."""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from bench.common import load_average, median_seconds, report, scratch_dir
from mltrace.entities import ComponentRun, IOPointer, new_run_key
from mltrace.lineage.trace_diff import diff_traces, trace_side

RUNS = 1000
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def pipeline(side: str, first_id: int, seed: int = 11) -> list[ComponentRun]:
    """`RUNS` stored runs of 20 components, each reading the previous run's output and up to two earlier ones
    (so the last one's trace holds them all), with the same shape on both sides; side b has another raw batch at
    run 10, another code hash at run 300 and another param at run 600."""
    rng = random.Random(seed)
    runs: list[ComponentRun] = []
    for i in range(RUNS):
        reads = [i - 1, *rng.sample(range(i - 1), k=min(i - 1, 2))] if i else []
        raw = f"raw-{side if i == 10 else 'same'}-{i}"
        runs.append(
            ComponentRun(
                f"c{i % 20}",
                id=first_id + i,
                start_timestamp=T0 + timedelta(seconds=i),
                end_timestamp=T0 + timedelta(seconds=i + 1),
                inputs=[IOPointer(f"raw/{i}", value_hash=raw)]
                + [IOPointer(f"{side}/out/{j}", value_hash=f"h{j}") for j in sorted(set(reads))],
                outputs=[IOPointer(f"{side}/out/{i}", value_hash=f"h{i}")],
                dependencies=[first_id + j for j in sorted(set(reads))],
                code_hash=f"code-{side if i == 300 else 'same'}-{i % 20}",
                code_snapshot=f"def c{i % 20}():\n    return {side if i == 300 else 0}\n",
                params={"alpha": 0.1 if side == "b" and i == 600 else 0.2, "layers": 3},
                metrics={"loss": 0.5},
                key=new_run_key(),
            )
        )
    return runs


def _median(fn: Callable[[], object], clock: Callable[[], float], repeat: int = 21) -> float:
    """Median seconds of `fn` on `clock` (after two warm-up calls)."""
    fn()
    fn()
    samples = []
    for _ in range(repeat):
        started = clock()
        fn()
        samples.append(clock() - started)
    return statistics.median(samples)


def _pure() -> dict[str, float]:
    """Medians, in ms, of building both sides from the runs and of aligning and ranking them, in wall time and in
    CPU time (on a shared host the wall time also counts other processes' turns)."""
    a_runs, b_runs = pipeline("a", 1), pipeline("b", RUNS + 1)
    code = {run.id: run.code_snapshot for run in a_runs + b_runs if run.id is not None}
    a, b = trace_side("a/out/999", RUNS, a_runs), trace_side("b/out/999", 2 * RUNS, b_runs)

    def sides() -> object:
        return trace_side("a/out/999", RUNS, a_runs), trace_side("b/out/999", 2 * RUNS, b_runs)

    def diff() -> object:
        result = diff_traces(a, b, code_of=code.get)
        assert len(result.pairs) == RUNS and result.differences[0].kind == "raw_input", result.differences[0]
        return result

    figures = {}
    for name, fn in (("sides", sides), ("diff", diff)):
        figures[f"{name}_wall_ms"] = _median(fn, time.perf_counter) * 1000
        figures[f"{name}_cpu_ms"] = _median(fn, time.process_time) * 1000
    return figures


def _through_sqlite() -> float:
    from mltrace.client import Client

    home = scratch_dir()
    os.environ["MLTRACE_HOME"] = home
    client = Client(f"sqlite:///{home}/bench.db")
    for side in ("a", "b"):
        records = pipeline(side, 0)
        for run in records:
            run.id, run.dependencies = None, []  # stored afresh: the store resolves the dependencies
            run.start_timestamp = (run.start_timestamp or T0) + timedelta(days=0 if side == "a" else 10)
            run.end_timestamp = (run.end_timestamp or T0) + timedelta(days=0 if side == "a" else 10)
        client.ingest(records)

    def diff() -> object:
        result = client.diff("a/out/999", "b/out/999")
        assert result.differences[0].kind == "raw_input", result.differences[0]
        return result

    return median_seconds(diff, repeat=7, warmup=1)


def run() -> dict[str, float]:
    print(f"load average: {load_average()}")
    figures = _pure()
    for name, what in (("diff", "align + rank"), ("sides", "build both sides from the runs")):
        report(
            f"two {RUNS:,}-run traces: {what} (wall / CPU)",
            f"{figures[f'{name}_wall_ms']:.1f} / {figures[f'{name}_cpu_ms']:.1f} ms",
            "target ≤ 30 ms" if name == "diff" else "",
        )
    figures["client_diff_sqlite_ms"] = _through_sqlite() * 1000
    report("  Client.diff on SQLite (two traces, fetch, diff)", f"{figures['client_diff_sqlite_ms']:.0f} ms")
    return figures


if __name__ == "__main__":  # `python -m bench.trace_diff`, also while another benchmark's imports are broken
    run()
