"""Answers the client's questions from a database, through the Store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mltrace.db import (
    artifact_queries,
    compare_queries,
    impact_queries,
    lineage_queries,
    queries,
    search,
    suspect_queries,
)
from mltrace.db.store import Store
from mltrace.entities import Component, ComponentRun, IOPointer, PointerType
from mltrace.entities.artifact import StoredArtifact, StoredCacheEntry
from mltrace.entities.comparison import Comparison
from mltrace.entities.impact import Impact
from mltrace.entities.suspect import RunSuspicion
from mltrace.lineage.impact import Selector


class LocalBackend:
    """The database as the client's backend."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def ingest(self, records: list[ComponentRun]) -> list[int]:
        return self.store.ingest(records)

    def get_run(self, run_id: int) -> ComponentRun:
        return self.store.query(queries.get_run, run_id)

    def runs(self, run_ids: list[int]) -> list[ComponentRun]:
        return self.store.query(queries.load_runs, run_ids)

    def stored_run_ids(self, run_ids: list[int]) -> set[int]:
        return self.store.query(queries.stored_run_ids, run_ids)

    def recent(self, limit: int, before: tuple[datetime, int] | None) -> list[ComponentRun]:
        return self.store.query(queries.recent_runs, limit, before)

    def recent_run_ids(self, limit: int, last_run_id: int | None) -> list[int]:
        return self.store.query(queries.recent_run_ids, limit, last_run_id)

    def history(
        self,
        component: str,
        limit: int | None,
        since: datetime | None,
        until: datetime | None,
        before: tuple[datetime, int] | None = None,
    ) -> list[ComponentRun]:
        return self.store.query(queries.history, component, limit, since, until, before)

    def component(self, name: str) -> Component:
        return self.store.query(queries.get_component, name)

    def components(self, tag: str | None, owner: str | None) -> list[Component]:
        return self.store.query(queries.list_components, tag, owner)

    def tags(self) -> list[str]:
        return self.store.query(queries.list_tags)

    def pointer(self, name: str) -> IOPointer:
        return self.store.query(queries.get_pointer, name)

    def create_pointer(self, name: str, pointer_type: PointerType) -> IOPointer:
        return self.store.change(queries.create_pointer, name, pointer_type)

    def flags(self) -> list[IOPointer]:
        return self.store.query(queries.flagged_pointers)

    def search(self, q: str, limit: int) -> list[dict[str, str]]:
        return self.store.query(search.search, q, limit)

    def trace(self, output_id: str, direction: str, depth: int | None, run_id: int | None) -> dict[str, Any]:
        return self.store.query(lineage_queries.trace, output_id, direction, depth, run_id)

    def suspicions(self, run_ids: list[int]) -> dict[int, RunSuspicion]:
        return self.store.query(suspect_queries.suspicions, run_ids)

    def review(self, limit: int, offset: int = 0) -> dict[str, Any]:
        return self.store.query(lineage_queries.review, limit, offset)

    def impact(self, selector: Selector, since: datetime | None, until: datetime | None, limit: int) -> Impact:
        return self.store.query(impact_queries.impact, selector, since, until, limit)

    def compare(self, run_ids: list[int], points: int) -> Comparison:
        return self.store.query(compare_queries.compare, run_ids, points)

    def flag_impact(
        self, selector: Selector, reason: str | None, since: datetime | None, until: datetime | None
    ) -> int:
        return self.store.change(impact_queries.flag_impact, selector, reason, since, until)

    def flag(self, output_id: str, reason: str | None) -> IOPointer:
        return self.store.change_in_one_statement(queries.set_flag, output_id, True, reason)

    def unflag(self, output_id: str) -> IOPointer:
        return self.store.change_in_one_statement(queries.set_flag, output_id, False)

    def unflag_all(self) -> int:
        return self.store.change(queries.unflag_all)

    def set_notes(self, run_id: int, notes: str) -> ComponentRun:
        return self.store.change(queries.set_notes, run_id, notes)

    def create_component(self, name: str, description: str | None, owner: str | None, tags: list[str]) -> None:
        self.store.change(queries.create_component, name, description, owner, tags)

    def tag_component(self, name: str, tags: list[str]) -> None:
        self.store.change(queries.add_tags, name, tags)

    def clean(self) -> None:
        self.store.clean()

    # --- the artifact store's side of runs ---------------------------------------
    def artifacts(self, run_id: int | None, name: str | None, digest: str | None, limit: int) -> list[StoredArtifact]:
        return self.store.query(artifact_queries.list_artifacts, run_id, name, digest, limit)

    def cache_hits(self, key: str) -> list[StoredCacheEntry]:
        return self.store.query(artifact_queries.cache_hits, key)

    def latest_cache_entry(self, component: str) -> StoredCacheEntry | None:
        return self.store.query(artifact_queries.latest_cache_entry, component)

    def reused_runs(self, run_ids: list[int]) -> dict[int, int | None]:
        return self.store.query(artifact_queries.reused_runs, run_ids)

    def referenced_digests(self, digests: list[str]) -> set[str]:
        return self.store.query(artifact_queries.referenced_digests, digests)
