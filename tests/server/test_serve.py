"""The real server: `serve()` under gunicorn in a subprocess, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from mltrace.delivery.http_sink import HttpSink
from mltrace.entities.run_wire import to_wire
from tests.server.sample import ODD_IDS, prediction, record


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, method: str, path: str, body: object = None) -> tuple[int, object]:
    """One JSON request; (status, decoded body) for successes and errors alike."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`serve(workers=2)` on a free port and a fresh SQLite file; yields its root URL."""
    tmp = tmp_path_factory.mktemp("serve")
    port = free_port()
    db_uri = f"sqlite:///{tmp / 'api.db'}"
    code = f"from mltrace.server.serve import serve; serve(host='127.0.0.1', port={port}, workers=2, db_uri={db_uri!r})"
    env = {**os.environ, "MLTRACE_HOME": str(tmp / "home"), "PYTHONPATH": str(Path(__file__).parents[2])}
    env.pop("MLTRACE_DB_URI", None)
    with open(tmp / "server.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(base, "GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start:\n{(tmp / 'server.log').read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_gunicorn_server_ingests_and_lists_runs(server: str):
    status, health = call(server, "GET", "/api/v1/health")
    assert status == 200 and health["status"] == "ok" and health["database"] == "sqlite"
    records = [record("load", 0, [], [("data/in.csv", "v1")]), record("fit", 10, [("data/in.csv", "v1")], ["m.pkl"])]
    status, body = call(server, "POST", "/api/v1/runs", {"runs": [to_wire(r) for r in records]})
    assert (status, body) == (200, {"ingested": 2})
    status, body = call(server, "GET", "/api/v1/runs?limit=10")
    assert status == 200
    assert [r["component"] for r in body["runs"]] == ["fit", "load"]
    assert body["runs"][0]["dependencies"] == [body["runs"][1]["id"]]
    assert body["next"] is None


def test_gunicorn_server_accepts_the_clients_http_sink(server: str):
    assert HttpSink(server).ingest([record("sink", 100, [], ["out/sink.csv"])]) == {"ingested": 1}
    status, body = call(server, "GET", "/api/v1/components/sink/runs")
    assert status == 200 and len(body["runs"]) == 1


def test_gunicorn_server_answers_errors_as_json(server: str):
    assert call(server, "GET", "/api/v1/runs/abc")[1]["error"]["code"] == "bad_request"
    status, body = call(server, "GET", "/api/v1/nope")
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_odd_output_ids_survive_real_http_percent_decoding(server: str):
    call(
        server,
        "POST",
        "/api/v1/runs",
        {"runs": [to_wire(record("predict", 200, [("m.pkl", None)], [prediction(i) for i in ODD_IDS]))]},
    )
    for output_id in ODD_IDS:
        status, body = call(server, "PUT", "/api/v1/flags/" + quote(output_id, safe=""), {"reason": "bad"})
        assert (status, body["name"]) == (200, output_id)
        status, trace = call(server, "GET", "/api/v1/trace?output_id=" + quote(output_id, safe=""))
        assert status == 200 and trace["root"] == f"pointer:{output_id}", trace
        status, body = call(server, "DELETE", "/api/v1/flags/" + quote(output_id, safe=""))
        assert (status, body["flagged"]) == (200, False)
