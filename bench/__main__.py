"""Runs every benchmark and writes the figures to .bench/results.json."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from bench import artifacts, browser_trace, decorator_cost, ingest, memory, queries, server, spool_delivery

BENCHES = {
    "decorator": decorator_cost,
    "ingest": ingest,
    "memory": memory,
    "spool": spool_delivery,
    "queries": queries,
    "server": server,
    "browser": browser_trace,
    "artifacts": artifacts,
}


def main() -> None:
    names = [n for n in BENCHES if n in sys.argv[1:]] or list(BENCHES)
    out = Path(".bench")
    out.mkdir(exist_ok=True)
    if len(names) == 1:  # run it here, in a process of its own
        results = BENCHES[names[0]].run()
        (out / f"{names[0]}.json").write_text(json.dumps(results, indent=2, default=str))
        return
    print(f"mltrace benchmarks on {os.cpu_count()} cores, Python {platform.python_version()} (medians)\n")
    for name in names:  # each in a fresh interpreter: no writer threads or pools left by the others
        subprocess.run([sys.executable, "-m", "bench", name], check=True)
    merged = {name: json.loads((out / f"{name}.json").read_text()) for name in names}
    (out / "results.json").write_text(json.dumps(merged, indent=2))


if __name__ == "__main__":
    main()
