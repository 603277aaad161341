"""Answers the client's questions from a database, through the Store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from mltrace.db import (
    artifact_queries,
    audit,
    compare_queries,
    impact_queries,
    lineage_queries,
    queries,
    run_filters,
    run_table,
    search,
    suspect_queries,
    tokens,
    value_queries,
)
from mltrace.db.run_filters import Selection
from mltrace.db.run_table import RunRow
from mltrace.db.store import Store
from mltrace.entities import Component, ComponentRun, IOPointer, PointerType
from mltrace.entities.access import ApiToken, AuditEntry
from mltrace.entities.artifact import StoredArtifact, StoredCacheEntry
from mltrace.entities.comparison import Comparison
from mltrace.entities.impact import Impact
from mltrace.entities.series import Series
from mltrace.entities.suspect import RunSuspicion
from mltrace.exports import writers
from mltrace.exports.csv_postgres import postgres_csv_text
from mltrace.exports.frame import run_frame
from mltrace.exports.frame_postgres import postgres_run_frame
from mltrace.lineage.impact import Selector
from mltrace.query.filter_grammar import parse_filter, parse_order

if TYPE_CHECKING:
    import pandas as pd


class LocalBackend:
    """The database as the client's backend."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def ingest(self, records: list[ComponentRun]) -> list[int]:
        return self.store.ingest(records)

    def get_run(self, run_id: int) -> ComponentRun:
        return self.store.query(queries.get_run, run_id)

    def ingest_openlineage(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from mltrace.db.openlineage_ingest import store_events

        stored = self.store.change(store_events, events)
        return [{"run_id": s.run_id, "duplicate": s.duplicate} for s in stored]

    def openlineage_events(self, run_id: int) -> list[dict[str, Any]]:
        from mltrace.db.openlineage_queries import run_as_events

        return self.store.query(run_as_events, run_id)

    def export_openlineage(self) -> Iterator[dict[str, Any]]:
        from mltrace.db.openlineage_queries import all_events

        with self.store.read() as conn:
            yield from all_events(conn)

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

    def set_values(self, run_id: int, params: dict[str, Any], metrics: dict[str, Any]) -> ComponentRun:
        return self.store.change(value_queries.set_values, run_id, params, metrics)

    def series(self, run_ids: list[int], keys: list[str] | None) -> dict[int, Series]:
        return self.store.query(value_queries.series, run_ids, keys)

    def create_component(self, name: str, description: str | None, owner: str | None, tags: list[str]) -> None:
        self.store.change(queries.create_component, name, description, owner, tags)

    def tag_component(self, name: str, tags: list[str]) -> None:
        self.store.change(queries.add_tags, name, tags)

    def clean(self) -> None:
        self.store.clean()

    # --- tokens and the audit trail ---------------------------------------------------
    def create_token(self, name: str, scope: str, token_hash: str, expires_at: datetime | None) -> ApiToken:
        return self.store.change(tokens.create, name, scope, token_hash, expires_at)

    def revoke_token(self, name: str) -> ApiToken:
        return self.store.change(tokens.revoke, name)

    def tokens(self) -> list[ApiToken]:
        return self.store.query(tokens.list_all)

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        return self.store.query(tokens.by_hash, token_hash)

    def audit(
        self,
        limit: int,
        before: tuple[datetime, int] | None,
        since: datetime | None,
        run_id: int | None,
        output_id: str | None,
    ) -> list[AuditEntry]:
        return self.store.query(audit.list_entries, limit, before, since, run_id, output_id)

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

    def search_runs(
        self, where: str, order_by: str, limit: int, before: tuple[datetime, int] | None
    ) -> list[ComponentRun]:
        selection = Selection(parse_filter(where), parse_order(order_by))
        return self.store.query(run_filters.search_runs, selection, limit, before)

    def run_rows(self, where: str, order_by: str, component: str | None, limit: int | None) -> Iterator[RunRow]:
        selection = Selection(parse_filter(where), parse_order(order_by), component)
        return self.store.stream(run_table.run_rows, selection, limit)

    def run_frame(self, where: str, order_by: str, component: str | None, limit: int | None) -> pd.DataFrame:
        """The selected runs as a DataFrame (`exports/frame.py`); on PostgreSQL read through COPY."""
        if self.store.dialect == "postgresql":
            selection = Selection(parse_filter(where), parse_order(order_by), component)
            return self.store.query(postgres_run_frame, selection, limit)
        return run_frame(self.run_rows(where, order_by, component, limit))

    def export_text(
        self, fmt: str, where: str, order_by: str, component: str | None, limit: int | None
    ) -> Iterator[str]:
        selection = Selection(parse_filter(where), parse_order(order_by), component)

        if fmt == "csv" and self.store.dialect == "postgresql":
            return self.store.stream(postgres_csv_text, selection, limit, twins=self.store.read_engine)

        def chunks(conn: Connection) -> Iterator[str]:
            rows = run_table.run_rows(conn, selection, limit)
            if fmt == "json":
                yield from writers.json_text(rows)
            else:
                yield from writers.csv_text(rows, *run_table.table_keys(conn, selection, limit))

        return self.store.stream(chunks)
