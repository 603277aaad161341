"""The RunRecord: a run as captured by the client, before the store gives it an id.

This is the unit the background writer batches, the spool keeps on disk and
`POST /api/v1/runs` receives; it round-trips through JSON.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from mltrace.entities.times import parse_utc, utc


@dataclass
class PointerRecord:
    """An input or output as captured: name, optional value hash and type."""

    name: str
    value_hash: str | None = None
    type: str | None = None  # None: infer from the name


@dataclass
class RunRecord:
    """Everything captured about one run; `key` makes delivery idempotent."""

    component: str
    start: datetime
    end: datetime
    status: str = "success"
    error: str | None = None
    inputs: list[PointerRecord] = field(default_factory=list)
    outputs: list[PointerRecord] = field(default_factory=list)
    upstream: list[int] = field(default_factory=list)
    code_snapshot: str | None = None
    code_hash: str | None = None
    git_hash: str | None = None
    git_tags: list[str] = field(default_factory=list)
    notes: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    test_results: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    staleness_threshold_s: float = 30 * 24 * 3600.0
    component_owner: str | None = None
    component_description: str | None = None
    component_tags: list[str] = field(default_factory=list)
    key: str = field(default_factory=lambda: new_run_key())

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (times as ISO 8601)."""
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        """Rebuilds a record from `to_json` output; raises ValueError/TypeError/KeyError on bad input."""
        fields = dict(data)
        fields["start"] = _parse_time(fields["start"])
        fields["end"] = _parse_time(fields["end"])
        fields["inputs"] = [PointerRecord(**p) for p in fields.get("inputs", [])]
        fields["outputs"] = [PointerRecord(**p) for p in fields.get("outputs", [])]
        return cls(**fields)


def new_run_key() -> str:
    """A unique key that sorts by creation time (nanoseconds, then 64 random bits), so that the store's
    unique index on keys grows at its end instead of at random places."""
    return f"{time.time_ns():016x}{os.urandom(8).hex()}"


def _parse_time(value: str | datetime) -> datetime:
    return utc(value) if isinstance(value, datetime) else parse_utc(value)
