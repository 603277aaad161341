"""The real server: `serve()` under gunicorn in a subprocess, spoken to over HTTP."""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from gunicorn.ctl.client import ControlClient

from mltrace.delivery.http_sink import HttpSink
from mltrace.entities.run_wire import to_wire
from mltrace.server.serve import gunicorn_options
from tests.server.live import live_server
from tests.server.sample import ODD_IDS, prediction, record

pytestmark = pytest.mark.xdist_group("live-server")


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
    folder = tmp_path_factory.mktemp("serve")
    with live_server(f"sqlite:///{folder / 'api.db'}", folder) as live:
        yield live.url


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


def test_health_answers_within_a_second_while_16_connections_trickle_their_headers(server: str):
    port = int(server.rsplit(":", 1)[1])
    stop = threading.Event()
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]

    def trickle(sock: socket.socket) -> None:
        head = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
        for i in range(len(head)):
            if stop.wait(0.2):
                return
            try:
                sock.send(head[i : i + 1])
            except OSError:
                return

    threads = [threading.Thread(target=trickle, args=(sock,), daemon=True) for sock in slow]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)  # every slow connection has started its request
        for _ in range(5):
            started = time.monotonic()
            with urllib.request.urlopen(f"{server}/api/v1/health", timeout=1) as resp:
                assert resp.status == 200
            assert time.monotonic() - started < 1
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        for sock in slow:
            sock.close()


def test_a_request_head_that_takes_too_long_is_dropped(server: str):
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\n")
        started = time.monotonic()
        assert sock.recv(100) == b""  # closed by the server, without an answer
        assert time.monotonic() - started < 15


def test_each_server_has_its_own_control_socket():
    with tempfile.TemporaryDirectory(prefix="mlt") as short:  # a Unix socket's path is short; tmp_path can be long
        _two_servers_one_home(Path(short))


def _two_servers_one_home(folder: Path) -> None:
    with live_server(f"sqlite:///{folder / 'a.db'}", folder, workers=1) as first:
        with live_server(f"sqlite:///{folder / 'b.db'}", folder, workers=1) as second:
            sockets = {server.port: server.home / f"gunicorn-127.0.0.1-{server.port}.ctl" for server in (first, second)}
            for port, path in sockets.items():
                assert _listening_ports(path) == [port]
        assert not sockets[second.port].exists()
        assert _listening_ports(sockets[first.port]) == [first.port]  # stopping the other left it alone


def _listening_ports(control_socket: Path) -> list[int]:
    deadline = time.monotonic() + 20  # the arbiter opens it in a thread of its own, maybe after the first answer
    while not control_socket.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    with ControlClient(str(control_socket), timeout=10) as control:
        listeners = control.send_command("show listeners")["listeners"]
    return [int(listener["address"].rsplit(":", 1)[1]) for listener in listeners]


def test_a_home_too_deep_for_a_unix_socket_runs_without_a_control_socket_rather_than_a_shared_one(tmp_path: Path):
    short = gunicorn_options("127.0.0.1", 8080, 2, Path("/srv/mltrace"))
    assert short["control_socket"] == "/srv/mltrace/gunicorn-127.0.0.1-8080.ctl"
    deep = gunicorn_options("0.0.0.0", 8080, 2, tmp_path / ("d" * 120))
    assert deep["control_socket_disable"] is True and "control_socket" not in deep
