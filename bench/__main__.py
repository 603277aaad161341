"""Runs every benchmark and writes the figures to .bench/results.json."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

from bench import browser_trace, decorator_cost, ingest, memory, queries


def main() -> None:
    only = set(sys.argv[1:])
    print(f"mltrace benchmarks on {os.cpu_count()} cores, Python {platform.python_version()} (medians)\n")
    results = {}
    for name, module in (
        ("decorator", decorator_cost),
        ("ingest", ingest),
        ("memory", memory),
        ("queries", queries),
        ("browser", browser_trace),
    ):
        if not only or name in only:
            results[name] = module.run()
    Path(".bench").mkdir(exist_ok=True)
    Path(".bench/results.json").write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
