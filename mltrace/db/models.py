"""ORM models of the mltrace schema, each able to turn itself into an entity."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mltrace.db.types import UTCDateTime
from mltrace.entities import Component, IOPointer, PointerType


class Base(DeclarativeBase):
    """Declarative base of every mltrace table."""


class ComponentRow(Base):
    __tablename__ = "components"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    @staticmethod
    def to_entity(row: Any, tags: list[str]) -> Component:
        """A stored component row (ORM object or Core row) as an entity."""
        return Component(name=row.name, owner=row.owner or "", description=row.description or "", tags=tags)


class ComponentTagRow(Base):
    __tablename__ = "component_tags"

    component_name: Mapped[str] = mapped_column(ForeignKey("components.name"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(255), primary_key=True)

    __table_args__ = (Index("ix_component_tags_tag", "tag"),)


class PointerRow(Base):
    __tablename__ = "io_pointers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # byte order on PostgreSQL (as on SQLite), so that the unique index serves search's "starts with" (see db/search.py)
    name: Mapped[str] = mapped_column(Text().with_variant(Text(collation="C"), "postgresql"), unique=True)
    pointer_type: Mapped[str] = mapped_column(String(16), default=PointerType.UNKNOWN.value)
    flag: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # only flagged pointers are indexed: the flags list reads a few rows, and ingest pays nothing per pointer
    __table_args__ = (
        Index("ix_io_pointers_flagged", "flagged_at", postgresql_where=text("flag"), sqlite_where=text("flag = 1")),
    )

    @staticmethod
    def to_entity(row: Any, value_hash: str | None = None) -> IOPointer:
        """A stored pointer row (ORM object or Core row) as an entity."""
        return IOPointer(
            name=row.name,
            pointer_type=PointerType(row.pointer_type),
            value_hash=value_hash,
            flag=bool(row.flag),
            flag_reason=row.flag_reason,
            flagged_at=row.flagged_at,
        )


class RunRow(Base):
    __tablename__ = "component_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    component_name: Mapped[str] = mapped_column(String(255))  # no foreign key: see below
    start_ts: Mapped[datetime] = mapped_column(UTCDateTime)
    end_ts: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="success")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # its `code_snapshots` row (no foreign key: see below)
    code_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    git_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    git_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    test_results: Mapped[list[Any]] = mapped_column(JSON, default=list)
    stale: Mapped[list[str]] = mapped_column(JSON, default=list)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    staleness_threshold_s: Mapped[float] = mapped_column(Float)
    inputs_count: Mapped[int] = mapped_column(Integer, default=0)  # distinct pointers read, kept for listings
    outputs_count: Mapped[int] = mapped_column(Integer, default=0)  # distinct pointers written

    __table_args__ = (
        Index("ix_component_runs_component_start", "component_name", "start_ts", "id"),
        Index("ix_component_runs_start", "start_ts", "id"),
    )


# Each code text once, named by the SHA-256 of its UTF-8 bytes: a component's code is the same text in every
# run until it changes. Kept in each run, a 2 kB snapshot cost 200 MB per 100,000 runs, written to SQLite's WAL
# and again into the database: a third of ingest's time on SQLite (`python -m bench ingest`).
class CodeSnapshotRow(Base):
    __tablename__ = "code_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(Text)


# Runs and the edge tables below (run inputs, outputs, dependencies) carry no foreign keys: only ingest
# writes them, under the writers' lock, with components and ids it has just read or inserted, and rows
# are never deleted one by one. Per-row foreign-key triggers cost a third of bulk-load time on PostgreSQL.


class RunInputRow(Base):
    __tablename__ = "run_inputs"

    run_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pointer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    start_ts: Mapped[datetime] = mapped_column(UTCDateTime)  # the reader's start, for late-arrival lookups

    __table_args__ = (Index("ix_run_inputs_pointer_start", "pointer_id", "start_ts"),)


class RunOutputRow(Base):
    __tablename__ = "run_outputs"

    run_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pointer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    end_ts: Mapped[datetime] = mapped_column(UTCDateTime)  # the writer's end, for version lookups

    __table_args__ = (Index("ix_run_outputs_pointer_end", "pointer_id", "end_ts", "run_id"),)


# No primary key: dependencies are only read by run or by upstream run, through the two indexes, and a
# surrogate id would cost a sequence call and one more index entry for every dependency stored. Without
# a key there is nothing to map to ORM objects, so it is a plain table of the same metadata.
dependencies = Table(
    "run_dependencies",
    Base.metadata,
    Column("run_id", Integer, nullable=False),
    Column("upstream_id", Integer, nullable=False),
    Column("pointer_id", Integer, nullable=True),  # None: an explicit link (`explicit`), through no pointer
    Column("explicit", Boolean, nullable=False, default=False),
    Index("ix_run_dependencies_run", "run_id"),
    Index("ix_run_dependencies_upstream", "upstream_id"),
)


# The outputs of runs whose bytes are in the artifact store (`mltrace.save`, `log_artifact`, a cached step's outputs):
# written by ingest with the run, never changed. `digest` is the output's value hash.
run_artifacts = Table(
    "run_artifacts",
    Base.metadata,
    Column("run_id", Integer, primary_key=True),
    Column("pointer_id", Integer, primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("serializer", String(16), nullable=False),
    Index("ix_run_artifacts_digest", "digest"),
    Index("ix_run_artifacts_pointer", "pointer_id", "run_id"),
)

# The cache key of each run of a step marked cache=True. A `cached` run names the run it reused by that run's key,
# resolved when read (so the link holds whichever of the two runs reaches the store first).
run_cache = Table(
    "run_cache",
    Base.metadata,
    Column("run_id", Integer, primary_key=True),
    Column("cache_key", String(64), nullable=False),
    Column("component_name", String(255), nullable=False),
    Column("parts", JSON, nullable=False),
    Column("result_digest", String(64), nullable=True),
    Column("result_serializer", String(16), nullable=True),
    Column("reused_run_key", String(64), nullable=True),
    Index("ix_run_cache_key", "cache_key", "run_id"),
    Index("ix_run_cache_component", "component_name", "run_id"),
)

TEXT_PREFIX = 200  # characters of `text` in the prefix index


# Each run's params and metrics as typed rows (db/run_values.py decides the types), written with the run and by
# set_params/set_metrics; the JSON columns of component_runs keep the values as logged. `num` holds numbers
# (NaN as NULL) and booleans (0/1); `text` strings and, for other values, their JSON. The prefix index serves
# equality on strings of any length (a B-tree entry on PostgreSQL holds at most ~2.7 kB).
def _value_table(name: str) -> Table:
    table = Table(
        name,
        Base.metadata,
        Column("run_id", Integer, primary_key=True),
        Column("key", String(255), primary_key=True),
        Column("kind", String(8), nullable=False),
        Column("num", Float, nullable=True),
        Column("text", Text, nullable=True),
        Index(f"ix_{name}_key_num", "key", "num", "run_id"),
    )
    Index(f"ix_{name}_key_text", table.c.key, func.substr(table.c.text, 1, TEXT_PREFIX))
    return table


run_params = _value_table("run_params")
run_metrics = _value_table("run_metrics")

# Step series logged with `log_metrics(..., step=N)`: one point per run, key and step (a later point replaces it).
# `num` NULL is NaN. The run's value in run_metrics is the point of its highest step.
run_metric_steps = Table(
    "run_metric_steps",
    Base.metadata,
    Column("run_id", Integer, primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("step", BigInteger, primary_key=True),
    Column("num", Float, nullable=True),
    Column("ts", UTCDateTime, nullable=False),
)

# OpenLineage events as received (`POST /api/v1/lineage`), once each (`digest`: SHA-256 of the event's canonical JSON).
# A run's events are read back whole to (re)build its mltrace run, so they merge in any arrival order; every facet
# is kept here, the known ones are also mapped onto the run (db/openlineage_ingest.py).
openlineage_events = Table(
    "openlineage_events",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("run_uuid", String(36), nullable=True),  # None: a JobEvent or DatasetEvent
    Column("parent_uuid", String(36), nullable=True),  # the `parent` facet's runId
    Column("event_type", String(16), nullable=True),
    Column("event_time", UTCDateTime, nullable=False),
    Column("body", JSON, nullable=False),
    Index("ix_openlineage_events_run", "run_uuid", "id"),
    Index("ix_openlineage_events_parent", "parent_uuid"),
)

# The OpenLineage (namespace, name) of a component (`kind` job) or pointer (`kind` dataset) that came in as
# OpenLineage, so that events sent out name it as it came in.
openlineage_names = Table(
    "openlineage_names",
    Base.metadata,
    Column("kind", String(8), primary_key=True),
    Column("mltrace_name", Text, primary_key=True),
    Column("namespace", Text, nullable=False),
    Column("name", Text, nullable=False),
)

# API tokens: only the SHA-256 of each token's text is kept. A name is unique among tokens not revoked (checked
# under the writers' lock), so a revoked name can be given to a new token.
api_tokens = Table(
    "api_tokens",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("scope", String(8), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index("ix_api_tokens_name", "name"),
)

# The audit trail: one row per write made through the server or the CLI (flags, notes, tags, clean, tokens),
# inserted in the write's own transaction. `clean` keeps it (and the tokens).
audit_log = Table(
    "audit_log",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target_kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Index("ix_audit_log_at", "at", "id"),
    Index("ix_audit_log_target", "target_kind", "target", "at"),
)

components = cast(Table, ComponentRow.__table__)
component_tags = cast(Table, ComponentTagRow.__table__)
pointers = cast(Table, PointerRow.__table__)
runs = cast(Table, RunRow.__table__)
code_snapshots = cast(Table, CodeSnapshotRow.__table__)
run_inputs = cast(Table, RunInputRow.__table__)
run_outputs = cast(Table, RunOutputRow.__table__)
