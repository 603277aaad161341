"""Stores what runs record about the artifact store (their stored outputs, their cache keys) in ingest's transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from mltrace.db.bulk import bulk_insert
from mltrace.db.models import run_artifacts, run_cache
from mltrace.entities import ComponentRun

_ARTIFACT_COLUMNS = ("run_id", "pointer_id", "digest", "size", "serializer")
_CACHE_COLUMNS = (
    "run_id",
    "cache_key",
    "component_name",
    "parts",
    "result_digest",
    "result_serializer",
    "reused_run_key",
)


def store_artifact_rows(
    conn: Connection, records: list[ComponentRun], run_ids: list[int], pointer_ids: dict[str, int]
) -> None:
    """Adds the stored outputs and cache entries of newly inserted runs (most runs have neither: nothing is done)."""
    pairs = [(r, run_id) for r, run_id in zip(records, run_ids, strict=True) if r.artifacts or r.cache is not None]
    if not pairs:
        return
    artifacts = (
        (run_id, pointer_ids[ref.name], ref.digest, ref.size, ref.serializer)
        for record, run_id in pairs
        for ref in {a.name: a for a in record.artifacts}.values()  # an output saved twice: the last bytes
    )
    bulk_insert(conn, run_artifacts, _ARTIFACT_COLUMNS, artifacts)
    entries = (
        (
            run_id,
            r.cache.key,
            r.component_name,
            dict(r.cache.parts),
            r.cache.result_digest,
            r.cache.result_serializer,
            r.cache.reused_run_key,
        )
        for r, run_id in pairs
        if r.cache is not None
    )
    bulk_insert(conn, run_cache, _CACHE_COLUMNS, entries)
