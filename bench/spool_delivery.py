"""Runs spooled during an outage: how long PostgreSQL takes to receive 20,000 of them once it is back."""

from __future__ import annotations

import inspect
import time
import uuid

import psycopg2

from bench.common import PG_ADMIN, report, scratch_dir
from bench.data import pipeline_records
from mltrace.client import Client
from mltrace.config import Config


def _admin(statement: str) -> None:
    conn = psycopg2.connect(f"{PG_ADMIN}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(statement)
    conn.close()


def run(n_runs: int = 20_000, outage_s: float = 8.0) -> dict[str, float]:
    """Logs `n_runs` at an even pace for `outage_s` seconds while the database does not exist yet (the store
    is unreachable, so they go to the spool), creates it, and times `flush()` until all are stored."""
    database = f"mltrace_outage_{uuid.uuid4().hex[:8]}"
    client = Client(f"{PG_ADMIN}/{database}", config=Config.from_env({"MLTRACE_HOME": scratch_dir()}))
    code = inspect.getsource(pipeline_records)  # a real code snapshot on every run
    records = pipeline_records(n_runs, prefix="outage/")
    for record in records:
        record.code_snapshot = code
    started = time.perf_counter()
    for i, record in enumerate(records):
        client.submit(record)
        if i % 200 == 199:  # paced: 200 runs at a time, spread over the outage
            time.sleep(max(0.0, started + outage_s * (i + 1) / n_runs - time.perf_counter()))
    assert client.flush(10) is False, "the store was reachable during the outage"
    files = client.writer.spool.pending()
    _admin(f'CREATE DATABASE "{database}"')
    try:
        back = time.perf_counter()
        assert client.flush(300), "runs left in the spool"
        elapsed = time.perf_counter() - back
        stored = len(client.history("ingest", limit=None)) * 4
    finally:
        client.writer.close(5)
        from mltrace.db.store import dispose_engines

        dispose_engines()
        _admin(f'DROP DATABASE IF EXISTS "{database}"')
    assert stored == n_runs, f"{stored} of {n_runs} runs stored"
    report(
        f"delivery of {n_runs:,} runs spooled in {files} files during an outage",
        f"{elapsed:.2f} s",
        "target ≤ 5 s (default settings, schema created on the way)",
    )
    return {"seconds": elapsed, "spool_files": files}
