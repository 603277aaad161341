"""Runs every benchmark and writes the figures to .bench/results.json.

`python -m bench` runs them all, each in a fresh interpreter; `python -m bench queries ingest` runs those named.
The query, ingest and decorated-call figures are printed as ratios to the floor (`bench/floor.py`), timed side
by side in the same run. BENCH_DATABASES, BENCH_SIZES, BENCH_INGEST_SIZES and BENCH_SEARCH_POINTERS narrow them.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from bench import (
    artifacts,
    auth,
    browser_trace,
    compare,
    decorated_call,
    decorator_cost,
    impact,
    ingest,
    memory,
    openlineage,
    queries,
    run_queries,
    server,
    spool_delivery,
    trace_diff,
)
from bench.common import load_average

BENCHES = {
    "decorator": decorator_cost,
    "call": decorated_call,
    "ingest": ingest,
    "memory": memory,
    "spool": spool_delivery,
    "queries": queries,
    "server": server,
    "auth": auth,
    "browser": browser_trace,
    "artifacts": artifacts,
    "diff": trace_diff,
    "impact": impact,
    "openlineage": openlineage,
    "runs": run_queries,
    "compare": compare,
}


def main() -> None:
    names = [n for n in BENCHES if n in sys.argv[1:]] or list(BENCHES)
    out = Path(".bench")
    out.mkdir(exist_ok=True)
    if len(names) == 1:  # run it here, in a process of its own
        results = BENCHES[names[0]].run()
        (out / f"{names[0]}.json").write_text(json.dumps(results, indent=2, default=str))
        return
    print(f"mltrace benchmarks on {os.cpu_count()} cores, Python {platform.python_version()} (medians)")
    print(f"load average at the start: {load_average()}\n", flush=True)
    for name in names:  # each in a fresh interpreter: no writer threads or pools left by the others
        print(f"\n## {name}\n", flush=True)
        subprocess.run([sys.executable, "-m", "bench", name], check=True)
    print(f"\nload average at the end: {load_average()}", flush=True)
    merged = {name: json.loads((out / f"{name}.json").read_text()) for name in names}
    (out / "results.json").write_text(json.dumps(merged, indent=2))


if __name__ == "__main__":
    main()
