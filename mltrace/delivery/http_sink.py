"""Sends batches of runs to a mltrace server's `POST /api/v1/runs`."""

from __future__ import annotations

import json
from typing import Any

from mltrace.entities import RunRecord


class ServerError(RuntimeError):
    """The server answered with an error or could not be reached."""


class HttpSink:
    """The server as a sink for the background writer."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def ingest(self, records: list[RunRecord], never_delivered: bool = False) -> Any:
        """Posts one batch; raises ServerError unless the server stored it (which skips stored keys anyway)."""
        body = json.dumps({"runs": [r.to_json() for r in records]}, default=str).encode()
        return request_json(self.base_url, "POST", "/api/v1/runs", body, self.timeout)


def request_json(base_url: str, method: str, path: str, body: bytes | None = None, timeout: float = 10.0) -> Any:
    """One JSON request to the server; ServerError on failure, with the server's message."""
    import urllib.error  # here, not at the top: only a client that talks to a server pays for importing them
    import urllib.request

    req = urllib.request.Request(
        f"{base_url}{path}",
        data=body,
        method=method,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            payload = json.loads(exc.read())
        except ValueError:
            payload = {"error": {"code": "internal", "message": str(exc)}}
        err = ServerError(payload.get("error", {}).get("message", str(exc)))
        err.status = exc.code  # type: ignore[attr-defined]
        err.payload = payload  # type: ignore[attr-defined]
        raise err from None
    except (OSError, ValueError) as exc:
        raise ServerError(f"cannot reach {base_url}: {exc}") from None
