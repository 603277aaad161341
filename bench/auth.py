"""What requiring tokens costs a query: recent (20 runs) through `mltrace serve` with MLTRACE_AUTH=required and a
read token, against the same server and database with auth off (PostgreSQL, 20,000 runs; medians over kept-alive
connections, the two timed in turn, over fresh pairs of servers started in either order; both send the same token).
Target: within 0.2 ms (the checked token is cached, `server/auth.py`)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time

from bench.common import fresh_postgres_uri, paired_medians, report, scratch_dir, settle_disks
from bench.data import pipeline_records
from bench.server import ROOT
from mltrace.client import Client
from mltrace.config import Config

RUNS = 20_000
QUERY = "/api/v1/runs?limit=20"
TARGET_MS = 0.2
ROUNDS = 3


def run() -> dict[str, float]:
    uri = fresh_postgres_uri()
    home = scratch_dir()
    client = Client(uri, config=Config.from_env({"MLTRACE_HOME": home}))
    records = pipeline_records(RUNS)
    for i in range(0, len(records), 5000):
        client.ingest(records[i : i + 5000])
    _, secret = client.create_token("bench-reader", "read")
    settle_disks()
    rounds = []
    for round_no in range(ROUNDS):  # fresh servers each round, started in turn in either order
        rounds.append(_round(uri, home, secret, locked_first=round_no % 2 == 1))
    unlocked = statistics.median(r[1] for r in rounds)
    locked = statistics.median(r[0] for r in rounds)
    added_ms = statistics.median((r[0] - r[1]) * 1000 for r in rounds)
    report("recent (20 runs), auth off, PostgreSQL 20k runs", f"{unlocked * 1000:.2f} ms")
    report("recent (20 runs), auth required (read token)", f"{locked * 1000:.2f} ms")
    report(
        f"cost of the token check (median of {ROUNDS} rounds)",
        f"{added_ms:+.3f} ms",
        f"target ≤ {TARGET_MS} ms; rounds: " + ", ".join(f"{(r[0] - r[1]) * 1000:+.3f}" for r in rounds),
    )
    return {"auth off": unlocked, "auth required": locked, "added ms": added_ms}


def _round(uri: str, home: str, secret: str, locked_first: bool) -> tuple[float, float]:
    """Median seconds of the query with auth required and with auth off, on a fresh pair of servers."""
    order = [("required", "off"), ("off", "required")][0 if locked_first else 1]
    started = {mode: _start_server(uri, home, {"MLTRACE_AUTH": mode}) for mode in order}
    try:
        conns = {mode: http.client.HTTPConnection("127.0.0.1", port, timeout=30) for mode, (_, port) in started.items()}
        bearer = {"Authorization": f"Bearer {secret}"}
        return paired_medians(
            lambda: _get(conns["required"], QUERY, bearer),
            lambda: _get(conns["off"], QUERY, bearer),  # the same request bytes: only the check differs
            repeat=501,
            warmup=30,
        )
    finally:
        for process, _ in started.values():
            process.terminate()
            process.wait(timeout=30)


def _get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> dict:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, body[:200]
    return json.loads(body)


def _start_server(db_uri: str, home: str, settings: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """One worker each, so that both answer from one process with its token cache."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MLTRACE_HOME": home, **settings}
    for name in ("MLTRACE_SERVER_URL", "MLTRACE_DB_URI", "DB_URI"):
        env.pop(name, None)
    code = f"from mltrace.server.serve import serve; serve(port={port}, workers=1, db_uri={db_uri!r})"
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the benchmark server did not start") from None
            time.sleep(0.2)
