"""Queries about the artifact store's side of runs: stored outputs, cache entries, and which blobs runs reference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, select, union

from mltrace.db import queries
from mltrace.db.membership import member_of
from mltrace.db.models import pointers, run_artifacts, run_cache, run_inputs, run_outputs, runs
from mltrace.entities.artifact import ArtifactRef, CacheEntry, StoredArtifact, StoredCacheEntry

_LISTED = select(
    pointers.c.name,
    run_artifacts.c.digest,
    run_artifacts.c.size,
    run_artifacts.c.serializer,
    runs.c.id,
    runs.c.component_name,
    runs.c.end_ts,
).select_from(
    run_artifacts.join(pointers, pointers.c.id == run_artifacts.c.pointer_id).join(
        runs, runs.c.id == run_artifacts.c.run_id
    )
)


def list_artifacts(
    conn: Connection,
    run_id: int | None = None,
    name: str | None = None,
    digest: str | None = None,
    limit: int = 100,
) -> list[StoredArtifact]:
    """Stored outputs, newest first (by the writing run's end, then id), of one run, one name or one digest."""
    query: Select[Any] = _LISTED
    if run_id is not None:
        query = query.where(run_artifacts.c.run_id == run_id)
    if name is not None:
        query = query.where(pointers.c.name == name)
    if digest is not None:
        query = query.where(run_artifacts.c.digest == digest)
    query = query.order_by(runs.c.end_ts.desc(), runs.c.id.desc(), pointers.c.name).limit(limit)
    return [StoredArtifact(*row) for row in conn.execute(query)]


def artifact_refs(conn: Connection, run_ids: Sequence[int]) -> dict[int, list[ArtifactRef]]:
    """The stored outputs of each of these runs."""
    found: dict[int, list[ArtifactRef]] = {}
    query = (
        select(
            run_artifacts.c.run_id,
            pointers.c.name,
            run_artifacts.c.digest,
            run_artifacts.c.size,
            run_artifacts.c.serializer,
        )
        .join(pointers, pointers.c.id == run_artifacts.c.pointer_id)
        .where(member_of(run_artifacts.c.run_id, "ids"))
        .order_by(run_artifacts.c.run_id, pointers.c.name)
    )
    for run_id, *ref in conn.execute(query, {"ids": list(run_ids)}):
        found.setdefault(run_id, []).append(ArtifactRef(*ref))
    return found


_ENTRY_COLUMNS = (
    run_cache.c.run_id,
    runs.c.key,
    runs.c.status,
    run_cache.c.cache_key,
    run_cache.c.parts,
    run_cache.c.result_digest,
    run_cache.c.result_serializer,
    run_cache.c.reused_run_key,
)


def cache_hits(conn: Connection, key: str, limit: int = 3) -> list[StoredCacheEntry]:
    """The newest successful runs stored with this cache key (a `cached` run is never reused itself: it points
    at one of these), whole, with their stored outputs."""
    query = (
        select(*_ENTRY_COLUMNS)
        .join(runs, runs.c.id == run_cache.c.run_id)
        .where(run_cache.c.cache_key == key, runs.c.status == "success")
        .order_by(run_cache.c.run_id.desc())
        .limit(limit)
    )
    return _entries(conn, conn.execute(query).all())


def latest_cache_entry(conn: Connection, component: str) -> StoredCacheEntry | None:
    """The newest successful or cached run of `component` with a cache key: what `cache_plan` compares with."""
    query = (
        select(*_ENTRY_COLUMNS)
        .join(runs, runs.c.id == run_cache.c.run_id)
        .where(run_cache.c.component_name == component, runs.c.status.in_(("success", "cached")))
        .order_by(run_cache.c.run_id.desc())
        .limit(1)
    )
    found = _entries(conn, conn.execute(query).all())
    return found[0] if found else None


def reused_runs(conn: Connection, run_ids: Sequence[int]) -> dict[int, int | None]:
    """For each of these runs that reused another's result (status `cached`): that run's id (None when it is not
    stored)."""
    if not run_ids:
        return {}
    reused = runs.alias("reused")
    query = (
        select(run_cache.c.run_id, reused.c.id)
        .outerjoin(reused, reused.c.key == run_cache.c.reused_run_key)
        .where(member_of(run_cache.c.run_id, "ids"), run_cache.c.reused_run_key.is_not(None))
    )
    return {run_id: reused_id for run_id, reused_id in conn.execute(query, {"ids": list(run_ids)})}


def referenced_digests(conn: Connection, digests: Sequence[str]) -> set[str]:
    """Those of `digests` that some stored run references: as an input or output's value hash, a stored output,
    or a cached result."""
    if not digests:
        return set()
    sources = union(
        select(run_outputs.c.value_hash).where(member_of(run_outputs.c.value_hash, "digests")),
        select(run_inputs.c.value_hash).where(member_of(run_inputs.c.value_hash, "digests")),
        select(run_artifacts.c.digest).where(member_of(run_artifacts.c.digest, "digests")),
        select(run_cache.c.result_digest).where(member_of(run_cache.c.result_digest, "digests")),
    )
    return set(conn.execute(sources, {"digests": list(digests)}).scalars())


def _entries(conn: Connection, rows: Sequence[Any]) -> list[StoredCacheEntry]:
    if not rows:
        return []
    ids = [row[0] for row in rows]
    whole = {run.id: run for run in queries.load_runs(conn, ids)}
    refs = artifact_refs(conn, ids)
    return [
        StoredCacheEntry(
            run_id=run_id,
            run_key=run_key,
            status=status,
            entry=CacheEntry(key, dict(parts or {}), result_digest, result_serializer, reused_key),
            artifacts=refs.get(run_id, []),
            run=whole.get(run_id),
        )
        for run_id, run_key, status, key, parts, result_digest, result_serializer, reused_key in rows
    ]
