"""Recent and inspect through `mltrace serve` on PostgreSQL (20,000 runs): what a console or remote client waits for,
headers, limits and worker included (medians over one kept-alive connection)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.common import fresh_postgres_uri, median_seconds, report, scratch_dir, settle_disks
from bench.data import pipeline_records
from mltrace.client import Client
from mltrace.config import Config

ROOT = Path(__file__).resolve().parents[1]
RUNS = 20_000


def run() -> dict[str, float]:
    uri = fresh_postgres_uri()
    home = scratch_dir()
    client = Client(uri, config=Config.from_env({"MLTRACE_HOME": home}))
    records = pipeline_records(RUNS)
    for i in range(0, len(records), 5000):
        client.ingest(records[i : i + 5000])
    settle_disks()
    process, port = _start_server(uri, home)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        newest = _get(conn, "/api/v1/runs?limit=1")["runs"][0]["id"]
        timings = {
            "recent (20 runs) through the server": "/api/v1/runs?limit=20",
            "inspect (one run) through the server": f"/api/v1/runs/{newest}",
        }
        results = {}
        for name, path in timings.items():
            seconds = median_seconds(lambda path=path: _get(conn, path), repeat=301, warmup=20)
            results[name] = seconds
            report(f"{name}, PostgreSQL 20k runs", f"{seconds * 1000:.2f} ms")
        conn.close()
        return results
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(conn: http.client.HTTPConnection, path: str) -> dict:
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, body[:200]
    return json.loads(body)


def _start_server(db_uri: str, home: str) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MLTRACE_HOME": home}
    for name in ("MLTRACE_SERVER_URL", "MLTRACE_DB_URI", "DB_URI"):
        env.pop(name, None)
    code = f"from mltrace.server.serve import serve; serve(port={port}, workers=2, db_uri={db_uri!r})"
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
