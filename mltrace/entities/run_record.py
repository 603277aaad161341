"""The RunRecord: a run as captured by the client, before the store gives it an id.

This is the unit the background writer batches, the spool keeps on disk and
`POST /api/v1/runs` receives; it round-trips through JSON.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mltrace.entities.component_run import MAX_RUN_ID
from mltrace.entities.io_pointer import PointerType
from mltrace.entities.json_values import strict_json
from mltrace.entities.limits import (
    MAX_DIGEST_CHARS,
    MAX_NAME_CHARS,
    MAX_POINTER_NAME_BYTES,
    MAX_VALUE_HASH_CHARS,
    text_problem,
)
from mltrace.entities.times import parse_utc, utc

_POINTER_TYPES = {None, *(t.value for t in PointerType)}


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
        """A JSON-safe dict: times as ISO 8601, params, metrics and test results as `strict_json` stores them
        (so no nesting or value can make `json.dumps` fail)."""
        data = dict(self.__dict__)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        for name in ("params", "metrics", "test_results"):
            data[name] = strict_json(data[name])
        data["inputs"] = [p.__dict__ for p in self.inputs]
        data["outputs"] = [p.__dict__ for p in self.outputs]
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

    def problems(self) -> list[str]:
        """Why the store cannot keep this run as it is (the limits of `entities.limits`); empty when it can.

        Every store applies the same rules before storing anything, so a run is refused for the same reason
        on SQLite, on PostgreSQL and through a server.
        """
        found = [f"{what} {problem}" for what, problem in self._text_problems() if problem]
        if self.status not in ("success", "failed"):
            found.append(f"status must be success or failed, not {self.status!r}")
        try:
            if utc(self.end) < utc(self.start):
                found.append("end is before start")
        except (ValueError, TypeError, AttributeError) as exc:
            found.append(f"start/end: {exc}")
        if not self.component.strip():
            found.append("the component name is empty")
        for pointer in (*self.inputs, *self.outputs):
            if not pointer.name:
                found.append("an input or output has an empty name")
            if pointer.type not in _POINTER_TYPES:
                found.append(f"pointer type must be one of {sorted(t for t in _POINTER_TYPES if t)}")
        if self.upstream and not all(isinstance(i, int) and 0 < i <= MAX_RUN_ID for i in self.upstream):
            found.append(f"upstream run ids are integers from 1 to {MAX_RUN_ID}")
        if not (isinstance(self.staleness_threshold_s, (int, float)) and 0 <= self.staleness_threshold_s < math.inf):
            found.append("the staleness threshold must be a finite number of seconds")
        return found  # params, metrics and test results are made storable (`strict_json`), never refused

    def _text_problems(self) -> list[tuple[str, str | None]]:
        """(what, problem) for the texts of the run; the limits on length first, then, only when some text is
        not plain ASCII or holds a NUL, each text on its own (a run costs about 1 µs when all are plain)."""
        names = [p.name for p in (*self.inputs, *self.outputs)]
        found: list[tuple[str, str | None]] = []
        if len(self.component) > MAX_NAME_CHARS:
            found.append(("the component name", text_problem(self.component, MAX_NAME_CHARS)))
        if len(self.key) > MAX_DIGEST_CHARS:
            found.append(("the key", text_problem(self.key, MAX_DIGEST_CHARS)))
        found += [
            (f"input/output name {name[:80]!r}", text_problem(name, None, MAX_POINTER_NAME_BYTES))
            for name in names
            if len(name) > MAX_POINTER_NAME_BYTES // 4
        ]
        hashes = [p.value_hash for p in (*self.inputs, *self.outputs) if p.value_hash is not None]
        short = [
            ("a value hash", MAX_VALUE_HASH_CHARS, hashes),
            ("the code hash", MAX_DIGEST_CHARS, [self.code_hash] if self.code_hash is not None else []),
            ("the git commit", MAX_DIGEST_CHARS, [self.git_hash] if self.git_hash is not None else []),
            ("the component owner", MAX_NAME_CHARS, [self.component_owner] if self.component_owner else []),
            ("a git tag", MAX_NAME_CHARS, self.git_tags),
            ("a component tag", MAX_NAME_CHARS, self.component_tags),
        ]
        found += [(what, text_problem(t, limit)) for what, limit, texts in short for t in texts if len(t) > limit]
        free = [self.component_description, self.error, self.notes, self.code_snapshot]
        texts = [self.component, self.key, *names, *(t for t in free if t), *self.warnings]
        texts += [t for _what, _limit, ts in short for t in ts]
        everything = "\n".join(texts)
        if everything.isascii() and "\x00" not in everything:
            return found
        found += [("the component name", text_problem(self.component)), ("the key", text_problem(self.key))]
        found += [(f"input/output name {name[:80]!r}", text_problem(name)) for name in names]
        found += [(what, text_problem(t)) for what, _limit, ts in short for t in ts]
        for what, value in zip(
            ("the component description", "the error", "the notes", "the code snapshot"), free, strict=True
        ):
            if value:
                found.append((what, text_problem(value)))
        found += [("a warning", text_problem(w)) for w in self.warnings]
        return found


def new_run_key() -> str:
    """A unique key that sorts by creation time (nanoseconds, then 64 random bits), so that the store's
    unique index on keys grows at its end instead of at random places."""
    return f"{time.time_ns():016x}{os.urandom(8).hex()}"


def _parse_time(value: str | datetime) -> datetime:
    return utc(value) if isinstance(value, datetime) else parse_utc(value)
