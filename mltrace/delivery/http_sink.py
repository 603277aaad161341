"""Sends batches of runs to a mltrace server's `POST /api/v1/runs`, and says how a delivery failed.

An answer the server could not give (no connection, a timeout, 502/503/504) means unreachable: the batch is
kept and sent again later. A 400 that names runs (`details.runs.<position>`) refuses exactly those; any other
error refuses the batch without naming runs, and the writer then sends it in halves to find them. So a
server error is never retried without end. A refused token (401, 403) refuses no run: the runs wait in the spool
until the token is fixed. Every request carries the client's token, when it has one, as `Authorization: Bearer`.
"""

from __future__ import annotations

import json
from typing import Any

from mltrace.entities import ComponentRun
from mltrace.entities.run_wire import to_wire
from mltrace.errors import RunsRefusedError, StoreUnreachableError

_UNAVAILABLE = (502, 503, 504)
_TOKEN_REFUSED = (401, 403)


class ServerError(RuntimeError):
    """The server answered with an error or could not be reached."""

    def __init__(self, message: str, status: int | None = None, payload: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload


class HttpSink:
    """The server as a sink for the background writer."""

    def __init__(self, base_url: str, timeout: float = 30.0, token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token

    def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> Any:
        """Posts one batch; raises StoreUnreachableError or RunsRefusedError unless the server stored all of it."""
        body = json.dumps({"runs": [to_wire(r) for r in records]}, default=str, ensure_ascii=True).encode()
        try:
            return request_json(self.base_url, "POST", "/api/v1/runs", body, self.timeout, self.token)
        except ServerError as exc:
            if exc.status is None or exc.status in _UNAVAILABLE:
                raise StoreUnreachableError(str(exc)) from None
            if exc.status in _TOKEN_REFUSED:
                raise StoreUnreachableError(f"the server refused the token ({exc.status}): {exc}") from None
            raise RunsRefusedError(f"the server answered {exc.status}: {exc}", refused_runs(exc.payload)) from None


def refused_runs(payload: Any) -> dict[int, str]:
    """The positions of the runs a 400 answer names, with the server's message for each."""
    try:
        runs = payload["error"]["details"]["runs"]
    except (KeyError, TypeError):
        return {}
    if not isinstance(runs, dict):
        return {}
    return {int(index): _one_line(messages) for index, messages in runs.items() if str(index).isdigit()}


def _one_line(messages: Any) -> str:
    """marshmallow's nested messages (`{"outputs": {"0": {"name": ["…"]}}}`) as one line."""
    if isinstance(messages, dict):
        return "; ".join(
            f"{key}: {_one_line(value)}" if key != "_schema" else _one_line(value) for key, value in messages.items()
        )
    if isinstance(messages, list):
        return "; ".join(_one_line(m) for m in messages)
    return str(messages)


def request_json(
    base_url: str, method: str, path: str, body: bytes | None = None, timeout: float = 30.0, token: str = ""
) -> Any:
    """One JSON request to the server, with `token` as its bearer token when given; ServerError on failure, with
    the server's message (`status` None when no answer came)."""
    import urllib.error  # here, not at the top: only a client that talks to a server pays for importing them
    import urllib.request

    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"{base_url}{path}", data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        with exc:
            raw = exc.read()
        try:
            payload = json.loads(raw)
            message = payload["error"]["message"]
        except (ValueError, KeyError, TypeError):
            payload = {"error": {"code": "internal", "message": str(exc), "details": {}}}
            message = str(exc)
        raise ServerError(message, exc.code, payload) from None
    except (OSError, ValueError) as exc:  # no answer: refused, reset, timed out, or not HTTP at all
        raise ServerError(f"cannot reach {base_url}: {exc}") from None
