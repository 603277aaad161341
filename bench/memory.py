"""Peak memory growth while 1,000,000 runs are logged with the store unreachable."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.common import report, scratch_dir

SCRIPT = r"""
import json, resource, sys, time
import mltrace
from tests_free_port import port
mltrace.set_db_uri(f"postgresql://postgres@127.0.0.1:{port}/nowhere")

@mltrace.register("offline", input_vars=["i"], outputs=["o.csv"])
def step(i):
    return i

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
step(-1); mltrace.flush(2)
before = rss_mb()
started = time.perf_counter()
for i in range(int(sys.argv[1])):
    step(i)
elapsed = time.perf_counter() - started
peak = rss_mb()
print(json.dumps({"growth_mb": peak - before, "calls_per_s": int(sys.argv[1]) / elapsed}))
"""


def run(n_runs: int = 1_000_000) -> dict[str, float]:
    home = scratch_dir()
    with open(f"{home}/tests_free_port.py", "w") as handle:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            handle.write(f"port = {s.getsockname()[1]}\n")
    env = {"MLTRACE_HOME": home, "MLTRACE_EXIT_TIMEOUT": "1", "PYTHONPATH": home, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(n_runs)], env=env, capture_output=True, text=True, timeout=1800, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    report(
        f"peak memory growth, {n_runs:,} runs with the store unreachable",
        f"{result['growth_mb']:.1f} MB",
        "target ≤ 100 MB",
    )
    return result
