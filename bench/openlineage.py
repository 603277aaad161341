"""OpenLineage ingest through `mltrace serve` on PostgreSQL: events a second, in batches (`POST /api/v1/lineage/batch`,
1,000 events: START and COMPLETE of 500 runs of 50 jobs, each reading one table and writing another) and one at a
time (`POST /api/v1/lineage`, what an OpenLineage client's HTTP transport sends), over one kept-alive connection."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from bench.common import fresh_postgres_uri, report, scratch_dir
from bench.server import _start_server

BATCHES = 10
BATCH_RUNS = 500  # two events each
SINGLE_RUNS = 250
T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _events(first: int, runs: int) -> list[dict[str, Any]]:
    events = []
    for k in range(first, first + runs):
        run_id, job = str(uuid.uuid4()), {"namespace": "airflow", "name": f"etl.task_{k % 50}"}
        start, end = T0 + timedelta(seconds=10 * k), T0 + timedelta(seconds=10 * k + 5)
        common = {"producer": "bench", "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json", "job": job}
        table = {"namespace": "postgres://warehouse", "name": f"public.t{k % 50}"}
        written = {**table, "name": f"public.t{k % 50 + 1}", "facets": {"version": {"datasetVersion": f"v{k}"}}}
        events.append(
            {
                **common,
                "eventType": "START",
                "eventTime": start.isoformat(),
                "run": {"runId": run_id},
                "inputs": [table],
            }
        )
        events.append(
            {
                **common,
                "eventType": "COMPLETE",
                "eventTime": end.isoformat(),
                "run": {"runId": run_id},
                "inputs": [table],
                "outputs": [written],
            }
        )
    return events


def _post(conn: http.client.HTTPConnection, path: str, body: Any) -> Any:
    conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    assert response.status in (200, 201), data[:300]
    return json.loads(data)


def run() -> dict[str, float]:
    uri = fresh_postgres_uri()
    process, port = _start_server(uri, scratch_dir())
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        _post(conn, "/api/v1/lineage/batch", _events(10**6, 10))  # warm-up: schema, pools, plans
        batches = [_events(i * BATCH_RUNS, BATCH_RUNS) for i in range(BATCHES)]
        started = time.perf_counter()
        for batch in batches:
            assert _post(conn, "/api/v1/lineage/batch", batch)["stored"] == len(batch)
        batched = sum(len(b) for b in batches) / (time.perf_counter() - started)
        singles = _events(BATCHES * BATCH_RUNS, SINGLE_RUNS)
        started = time.perf_counter()
        for event in singles:
            _post(conn, "/api/v1/lineage", event)
        single = len(singles) / (time.perf_counter() - started)
        conn.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    report("OpenLineage ingest through the server, batches of 1,000, PostgreSQL", f"{batched:,.0f} events/s", "≥ 2,000")
    report("OpenLineage ingest through the server, one event a request, PostgreSQL", f"{single:,.0f} events/s")
    return {"batched_events_per_s": batched, "single_events_per_s": single}
