"""The ComponentRun entity: one execution of a component, as captured and as stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mltrace.entities.artifact import ArtifactRef, CacheEntry
from mltrace.entities.io_pointer import IOPointer
from mltrace.entities.limits import MAX_RUN_ID as MAX_RUN_ID  # re-exported: where run ids were defined before
from mltrace.entities.limits import run_problems
from mltrace.entities.run_key import new_run_key
from mltrace.entities.series import Series
from mltrace.entities.times import now_utc

PREVIEW_SIZE = 10  # how many inputs and how many outputs a run carries in listings
THIRTY_DAYS_S = 30 * 24 * 3600.0


@dataclass
class ComponentRun:
    """One run of a component: what it read and wrote, when, with which code and outcome.

    The one record of a run, from the decorated call to the store and back: the decorators and
    `log_component_run` (the original API's builder) fill it without an id; the background writer queues,
    spools and posts it (`entities/run_wire.py` is its JSON); the store gives it an id, its dependencies
    and staleness; queries return it.

    `key` makes delivery idempotent (a run is stored once per key); `staleness_threshold_s` and the
    `component_*` metadata travel with a captured run for the store to apply, as do `artifacts` (outputs stored
    in the artifact store), `cache` (the cache key of a step marked `cache=True`) and `series` (the step series
    logged with `log_metrics(..., step=N)`; stored, a series' last value is also the run's value of that
    metric). `dependencies` are upstream run ids: the explicit links of a captured run, every upstream run of a
    stored one. Pointers typed UNKNOWN get their type from their name when stored.

    In listings `inputs` and `outputs` are a preview (at most PREVIEW_SIZE each) and
    `inputs_total`/`outputs_total` say how many there are; None means the lists are whole.
    """

    component_name: str
    id: int | None = None
    start_timestamp: datetime | None = None
    end_timestamp: datetime | None = None
    status: str = "success"
    error: str | None = None
    inputs: list[IOPointer] = field(default_factory=list)
    outputs: list[IOPointer] = field(default_factory=list)
    dependencies: list[int] = field(default_factory=list)
    code_snapshot: str | None = None
    code_hash: str | None = None
    git_hash: str | None = None
    git_tags: list[str] = field(default_factory=list)
    notes: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    test_results: list[dict[str, Any]] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inputs_total: int | None = None
    outputs_total: int | None = None
    key: str = ""  # given by `with_key` when the run is logged
    staleness_threshold_s: float = THIRTY_DAYS_S
    component_owner: str | None = None
    component_description: str | None = None
    component_tags: list[str] = field(default_factory=list)
    artifacts: list[ArtifactRef] = field(default_factory=list)  # outputs whose bytes the artifact store holds
    cache: CacheEntry | None = None  # the key of a step marked cache=True, and the run a `cached` run reused
    series: Series = field(default_factory=dict)  # step series logged with `log_metrics(..., step=N)`, by key

    def with_key(self) -> ComponentRun:
        """The run, given a new unique key when it has none (returned for chaining)."""
        if not self.key:
            self.key = new_run_key()
        return self

    def problems(self) -> list[str]:
        """Why the store cannot keep this run as it is; empty when it can (`limits.run_problems`)."""
        return run_problems(self)

    # --- builder methods of the original API -------------------------------
    def set_start_timestamp(self, ts: datetime | None = None) -> None:
        """Sets the start time (now when omitted)."""
        self.start_timestamp = ts or now_utc()

    def set_end_timestamp(self, ts: datetime | None = None) -> None:
        """Sets the end time (now when omitted)."""
        self.end_timestamp = ts or now_utc()

    def set_code_snapshot(self, code: str | bytes) -> None:
        """Stores the code text and its hash."""
        text = code.decode("utf-8", errors="replace") if isinstance(code, bytes) else code
        self.code_snapshot = text
        self.code_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()

    def set_git_hash(self, git_hash: str | None) -> None:
        """Sets the git commit the code ran at."""
        self.git_hash = git_hash

    def set_git_tags(self, tags: list[str] | None) -> None:
        """Sets the git tags of that commit."""
        self.git_tags = list(tags or [])

    def add_notes(self, notes: str) -> None:
        """Sets the run's notes."""
        self.notes = notes

    def add_input(self, inp: IOPointer | str) -> None:
        """Adds one input (a pointer or its name)."""
        self.inputs.append(inp if isinstance(inp, IOPointer) else IOPointer(str(inp)))

    def add_inputs(self, inputs: list[IOPointer | str]) -> None:
        """Adds several inputs."""
        for inp in inputs:
            self.add_input(inp)

    def add_output(self, out: IOPointer | str) -> None:
        """Adds one output (a pointer or its name)."""
        self.outputs.append(out if isinstance(out, IOPointer) else IOPointer(str(out)))

    def add_outputs(self, outputs: list[IOPointer | str]) -> None:
        """Adds several outputs."""
        for out in outputs:
            self.add_output(out)

    def set_upstream(self, run_ids: int | list[int]) -> None:
        """Adds explicit upstream run ids."""
        ids = [run_ids] if isinstance(run_ids, int) else list(run_ids)
        self.dependencies.extend(i for i in ids if i not in self.dependencies)

    @property
    def duration_ms(self) -> float | None:
        """Wall time of the run in milliseconds."""
        if self.start_timestamp is None or self.end_timestamp is None:
            return None
        return (self.end_timestamp - self.start_timestamp).total_seconds() * 1000.0

    @property
    def inputs_count(self) -> int:
        """How many inputs the run has, whether or not `inputs` holds them all."""
        return len(self.inputs) if self.inputs_total is None else self.inputs_total

    @property
    def outputs_count(self) -> int:
        """How many outputs the run has, whether or not `outputs` holds them all."""
        return len(self.outputs) if self.outputs_total is None else self.outputs_total

    @property
    def is_preview(self) -> bool:
        """Whether `inputs` or `outputs` holds only some of them."""
        return len(self.inputs) < self.inputs_count or len(self.outputs) < self.outputs_count

    def to_dictionary(self) -> dict:
        """The run as a plain dict (original API)."""
        return {
            "id": self.id,
            "component_name": self.component_name,
            "start_timestamp": self.start_timestamp,
            "end_timestamp": self.end_timestamp,
            "status": self.status,
            "error": self.error,
            "inputs": [p.to_dictionary() for p in self.inputs],
            "outputs": [p.to_dictionary() for p in self.outputs],
            "dependencies": list(self.dependencies),
            "code_snapshot": self.code_snapshot,
            "code_hash": self.code_hash,
            "git_hash": self.git_hash,
            "git_tags": list(self.git_tags),
            "notes": self.notes,
            "params": dict(self.params),
            "metrics": dict(self.metrics),
            "test_results": list(self.test_results),
            "stale": list(self.stale),
            "warnings": list(self.warnings),
        }
