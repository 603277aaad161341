"""What a run records about the artifact store: the outputs whose bytes it stored, and the key of a cached step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mltrace.entities.component_run import ComponentRun

SERIALIZER_NAMES = ("pickle", "joblib", "bytes", "json", "file")
"""How an artifact's bytes were made: an object's serializer, or `file` for a file stored as it is."""


@dataclass(frozen=True)
class ArtifactRef:
    """An output of a run whose bytes are in the artifact store: the output's name, the SHA-256 of the bytes (the
    output's value hash), their size and how they were made (one of SERIALIZER_NAMES)."""

    name: str
    digest: str
    size: int
    serializer: str


@dataclass(frozen=True)
class CacheEntry:
    """What a step marked `cache=True` records with its run.

    `key` is the SHA-256 of `parts` (part → hash: `code`, `argument NAME`, `file PATH`, `param NAME`); `result_*` is
    the stored return value; a run with status `cached` names the run whose result it returned in `reused_run_key`.
    """

    key: str
    parts: dict[str, str] = field(default_factory=dict)
    result_digest: str | None = None
    result_serializer: str | None = None
    reused_run_key: str | None = None


@dataclass(frozen=True)
class StoredArtifact:
    """An artifact as the store lists it: which run stored it under which name."""

    name: str
    digest: str
    size: int
    serializer: str
    run_id: int
    component: str
    stored_at: datetime | None


@dataclass(frozen=True)
class StoredCacheEntry:
    """A cache entry of a stored run, with the run's id, status and outputs: what a cache lookup needs."""

    run_id: int
    run_key: str
    status: str
    entry: CacheEntry
    artifacts: list[ArtifactRef] = field(default_factory=list)
    run: ComponentRun | None = None  # the whole run, with its inputs and outputs
