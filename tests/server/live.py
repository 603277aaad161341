"""A real `mltrace serve` (gunicorn) in a subprocess, and raw HTTP requests to it."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.ports import free_port

ROOT = Path(__file__).parents[2]


@dataclass
class Answer:
    """A response: status, headers (lower-case names) and body, decoded when it is JSON."""

    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    @property
    def error(self) -> dict[str, Any]:
        """The body's error, checked to have the error shape."""
        assert self.headers.get("content-type", "").startswith("application/json"), (self.status, self.raw[:300])
        body = self.json
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "details"}, body
        assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
        assert isinstance(body["error"]["details"], dict), body
        return body["error"]


@dataclass
class LiveServer:
    """A running server: its root URL, port, database and log file."""

    url: str
    port: int
    db_uri: str
    home: Path
    log: Path

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30,
    ) -> Answer:
        """One request on a new connection; `body` is sent as JSON, `data` as it is."""
        if body is not None:
            data = json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if data is not None else {}
        sent.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=sent)
            resp = conn.getresponse()
            return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def raw(self, request: bytes, timeout: float = 10) -> Answer:
        """Sends `request` bytes as they are and reads the answer to the end."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(request)
            resp = http.client.HTTPResponse(sock)
            resp.begin()
            return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())


@contextmanager
def live_server(
    db_uri: str, folder: Path, env: Mapping[str, str] | None = None, workers: int = 2, port: int | None = None
) -> Iterator[LiveServer]:
    """`mltrace.server.serve.serve()` on `port` (a free one by default) of 127.0.0.1, stopped on exit; `env` adds
    settings."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    home = folder / "home"
    code = f"from mltrace.server.serve import serve; serve('127.0.0.1', {port}, {workers}, {db_uri!r})"
    full_env = {**os.environ, "MLTRACE_HOME": str(home), "PYTHONPATH": str(ROOT), **(env or {})}
    for name in ("MLTRACE_DB_URI", "DB_URI", "MLTRACE_SERVER_URL"):
        full_env.pop(name, None)
    log = folder / f"server-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", code], env=full_env, stdout=out, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", port, db_uri, home, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if server.call("GET", "/api/v1/health", timeout=5).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
