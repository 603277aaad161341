"""The gunicorn worker `mltrace serve` runs: gevent's, answering the errors gunicorn writes itself in the JSON shape.

A gevent worker holds each connection in a greenlet, so clients that send slowly cost memory, not one of a few
threads: with gunicorn's threaded worker, 8 connections trickling their headers left `/health` unanswered.
Database calls do not yield (psycopg2 cannot when COPY is used), so each worker runs one request's query at a time.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from gunicorn import util
from gunicorn.workers.ggevent import GeventWorker

from mltrace.server.errors import code_for_status, error_body


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """What gunicorn answers when it refuses a request before the app sees it (a request line over
    `limit_request_line`, headers over their limits, a malformed request), in mltrace's error shape."""
    body = json.dumps(error_body(code_for_status(status_int), mesg or reason)).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


class JsonErrorsGeventWorker(GeventWorker):
    """gunicorn's gevent worker, writing its own error answers with `write_json_error`."""

    def init_process(self) -> Any:
        # gunicorn writes those answers through this module-level function (an HTML page): replaced in this
        # worker process only, before it serves anything.
        util.write_error = write_json_error
        return super().init_process()
