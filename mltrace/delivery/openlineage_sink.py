"""Sends runs to an OpenLineage collector (Marquez, DataHub, a mltrace server) as events, through the official
client's HTTP transport, and says how a delivery failed as the background writer needs it.

No answer, a timeout or a 5xx (429 too) means unreachable: the writer keeps the runs in a spool of their own and
sends them again later. Any other 4xx refuses them (set aside beside that spool, with the reason).
"""

from __future__ import annotations

import json
from typing import Any

from mltrace.entities import ComponentRun
from mltrace.errors import RunsRefusedError, StoreUnreachableError
from mltrace.lineage.openlineage import run_events


class OpenLineageSink:
    """A collector as a sink for the background writer: each run is sent as START and COMPLETE/FAIL events."""

    def __init__(self, url: str, timeout: float = 30.0, api_key: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.api_key = api_key
        self._transport: Any = None

    @property
    def transport(self) -> Any:
        """The openlineage client's HttpTransport, without its own retries (the writer retries from the spool)."""
        if self._transport is None:
            from openlineage.client.transport.http import HttpConfig, HttpTransport

            config: dict[str, Any] = {"url": self.url, "timeout": self.timeout, "retry": {"total": 0}}
            if self.api_key:
                config["auth"] = {"type": "api_key", "apiKey": self.api_key}
            self._transport = HttpTransport(HttpConfig.from_dict(config))
        return self._transport

    def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> None:
        """Sends every run's events, in order; a collector stores an event sent twice once (or harmlessly again)."""
        import requests

        for position, record in enumerate(records):
            for event in run_events(record):
                try:
                    self.transport.emit(event)  # the transport's Serde takes a dict as it is
                except requests.HTTPError as exc:
                    status = exc.response.status_code if exc.response is not None else None
                    if status is None or status >= 500 or status == 429:
                        raise StoreUnreachableError(f"the collector answered {status}") from None
                    message = f"the collector answered {status}: {_text(exc.response)}"
                    raise RunsRefusedError(message, {position: message}) from None
                except (requests.RequestException, OSError) as exc:
                    raise StoreUnreachableError(f"cannot reach {self.url}: {exc}") from None


def _text(response: Any) -> str:
    try:
        return " ".join(str(json.loads(response.text)["error"]["message"]).split())[:300]
    except (ValueError, KeyError, TypeError):
        return " ".join(str(getattr(response, "text", "")).split())[:300]
