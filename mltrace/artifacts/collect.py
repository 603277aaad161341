"""Collecting the artifact store: deletes the blobs nothing references any more, and writers' abandoned files."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mltrace.artifacts.blobs import BlobStore, StoredBlob

_ASKED_AT_ONCE = 1000  # digests per question to the database
ABANDONED_AFTER_S = 24 * 3600.0  # a temporary file this old belongs to a writer that died


@dataclass
class Collection:
    """What a collection deleted (or, in a dry run, would delete) and kept."""

    deleted: list[StoredBlob] = field(default_factory=list)
    kept_referenced: int = 0
    kept_young: int = 0  # unreferenced, but newer than the grace period: a run may still be on its way
    abandoned: int = 0  # temporary files removed

    @property
    def deleted_bytes(self) -> int:
        return sum(blob.size for blob in self.deleted)


def collect(
    store: BlobStore,
    referenced: Callable[[list[str]], set[str]],
    kept: Iterable[str] = (),
    grace_s: float = 24 * 3600.0,
    dry_run: bool = False,
) -> Collection:
    """Deletes every blob that `referenced` (the database: runs' inputs, outputs, stored outputs and cached results)
    does not name, that is not in `kept` (the digests of `.mltrace` files), and that is older than `grace_s` (a run
    that stored it may still be in a spool). With `dry_run`, deletes nothing and says what it would delete."""
    result = Collection()
    keep = set(kept)
    youngest = time.time() - grace_s
    blobs = []
    for blob in store.blobs():
        if blob.digest in keep:
            result.kept_referenced += 1
        else:
            blobs.append(blob)
    for start in range(0, len(blobs), _ASKED_AT_ONCE):
        batch = blobs[start : start + _ASKED_AT_ONCE]
        named = referenced([blob.digest for blob in batch])
        for blob in batch:
            if blob.digest in named:
                result.kept_referenced += 1
            elif blob.modified > youngest:
                result.kept_young += 1
            else:
                if not dry_run:
                    store.delete(blob.digest)
                result.deleted.append(blob)
    if not dry_run:
        result.abandoned = store.remove_abandoned(ABANDONED_AFTER_S)
        store.remove_stale_fingerprints()
    return result
