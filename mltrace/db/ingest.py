"""Stores batches of captured runs and resolves their version-exact dependencies and staleness.

Resolution is done in SQL over what is stored, never from the order runs arrive in:
a run late to the store re-resolves every stored run it could change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    extract,
    false,
    insert,
    or_,
    select,
    tuple_,
    update,
)

from mltrace.db.artifact_rows import store_artifact_rows
from mltrace.db.bulk import allocate_ids, bulk_insert
from mltrace.db.code_snapshots import code_ids
from mltrace.db.locks import lock_for_writes
from mltrace.db.membership import looked_up_in, member_of
from mltrace.db.models import component_tags, components, dependencies, pointers, run_inputs, run_outputs, runs
from mltrace.db.postgres import prefer_index_walks
from mltrace.db.run_values import store_run_values, with_series_values
from mltrace.entities import ComponentRun, IOPointer, PointerType
from mltrace.entities.json_values import strict_json
from mltrace.lineage.pointer_types import infer_pointer_type
from mltrace.lineage.staleness import DependencyFacts, staleness_messages

_CHUNK = 5000  # runs resolved, keys looked up, per statement: a whole batch of the writer (MLTRACE_BATCH_SIZE)
T = TypeVar("T")


def ingest(conn: Connection, records: list[ComponentRun], never_delivered: bool = False) -> list[int]:
    """Stores `records` (skipping keys already stored) inside the caller's transaction; returns new run ids.

    `never_delivered`: no store was ever handed these records, so none of their keys can be stored yet
    (a key stored anyway makes the insert fail on the unique index, and nothing is half-written).
    """
    lock_for_writes(conn)
    prefer_index_walks(conn)
    records = [with_series_values(r) for r in {r.key: r for r in records}.values()]  # one run per key
    if not never_delivered:
        records = _not_stored(conn, records)
    if not records:
        return []
    _upsert_components(conn, records)
    pointer_ids, created = _upsert_pointers(conn, records)
    run_ids = _insert_runs(conn, records)
    _insert_io(conn, records, run_ids, pointer_ids)
    _insert_explicit_links(conn, records, run_ids)
    store_artifact_rows(conn, records, run_ids, pointer_ids)
    store_run_values(conn, records, run_ids)
    # a pointer created by this batch has no stored readers: only rewritten pointers can affect stored runs
    rewritten = {pointer_ids[p.name] for r in records for p in r.outputs if p.name not in created}
    affected = _readers_after_new_writes(conn, run_ids, sorted(rewritten)) if rewritten else set()
    linked = {run_id for record, run_id in zip(records, run_ids, strict=True) if record.dependencies}
    resolve(conn, sorted(set(run_ids) | affected), fresh=set(run_ids), linked=linked)
    return run_ids


def resolve(conn: Connection, run_ids: list[int], fresh: set[int], linked: set[int]) -> None:
    """Recomputes the pointer dependencies and staleness messages of `run_ids`.

    `fresh` runs were inserted by this transaction (no resolved dependencies, no staleness yet);
    of those, only the `linked` ones have explicit upstream links.
    """
    for chunk in _chunks(run_ids, _CHUNK):
        stored_before = [r for r in chunk if r not in fresh]
        facts = _resolve_dependencies(conn, chunk, stored_before)
        with_links = stored_before + [r for r in chunk if r in linked]
        if with_links:
            for row in conn.execute(_LINK_FACTS, {"run_ids": with_links}):
                facts.setdefault(row[0], []).append(DependencyFacts(row[1], row[2], row[3], row[4], row[5], None, None))
        _update_staleness(conn, chunk, facts, fresh)


# --- storing ---------------------------------------------------------------


def _insert_missing(conn: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """Inserts the rows whose key is not stored yet (callers hold `lock_for_writes`); batched, no upsert."""
    if not rows:
        return
    columns = [table.c[k] for k in keys]
    present: set[tuple[Any, ...]] = set()
    for chunk in _chunks(rows, _CHUNK):
        wanted = [tuple(r[k] for k in keys) for r in chunk]
        condition = columns[0].in_([w[0] for w in wanted]) if len(keys) == 1 else tuple_(*columns).in_(wanted)
        present.update(tuple(r) for r in conn.execute(select(*columns).where(condition)))
    missing = [r for r in rows if tuple(r[k] for k in keys) not in present]
    if missing:
        conn.execute(insert(table), missing)


def _not_stored(conn: Connection, records: list[ComponentRun]) -> list[ComponentRun]:
    stored = set(conn.execute(_STORED_KEYS, {"keys": [r.key for r in records]}).scalars())
    return [r for r in records if r.key not in stored]


def _upsert_components(conn: Connection, records: list[ComponentRun]) -> None:
    names = sorted({r.component_name for r in records})
    _insert_missing(conn, components, [{"name": n, "owner": "", "description": ""} for n in names], ["name"])
    metadata: dict[str, dict[str, Any]] = {}
    for r in records:
        if r.component_owner is not None or r.component_description is not None:
            entry = metadata.setdefault(r.component_name, {})
            if r.component_owner is not None:
                entry["owner"] = r.component_owner
            if r.component_description is not None:
                entry["description"] = r.component_description
    for name, values in metadata.items():
        conn.execute(update(components).where(components.c.name == name).values(**values))
    tag_rows = {(r.component_name, t) for r in records for t in r.component_tags}
    _insert_missing(
        conn, component_tags, [{"component_name": c, "tag": t} for c, t in sorted(tag_rows)], ["component_name", "tag"]
    )


def _upsert_pointers(conn: Connection, records: list[ComponentRun]) -> tuple[dict[str, int], set[str]]:
    """Pointer ids by name and the names created now; an explicit type given at logging time wins."""
    explicit: dict[str, str | None] = {}
    for r in records:
        for p in (*r.inputs, *r.outputs):
            typed = p.pointer_type is not PointerType.UNKNOWN  # UNKNOWN: the type comes from the name
            if typed or p.name not in explicit:
                explicit[p.name] = p.pointer_type.value if typed else None
    ids: dict[str, int] = {}
    retype: list[dict[str, Any]] = []
    for pid, name, ptype in conn.execute(_STORED_POINTERS, {"names": list(explicit)}):
        ids[name] = pid
        wanted_type = explicit[name]
        if wanted_type and wanted_type != ptype:
            retype.append({"pid": pid, "ptype": wanted_type})
    missing = [n for n in explicit if n not in ids]
    if missing:
        new_ids = allocate_ids(conn, pointers, len(missing))
        ids.update(zip(missing, new_ids, strict=True))
        rows = (
            (pid, n, explicit[n] or infer_pointer_type(n).value, False) for n, pid in zip(missing, new_ids, strict=True)
        )
        bulk_insert(conn, pointers, _POINTER_COLUMNS, rows)
    if retype:
        conn.execute(
            update(pointers).where(pointers.c.id == bindparam("pid")).values(pointer_type=bindparam("ptype")), retype
        )
    return ids, set(missing)


_POINTER_COLUMNS = ("id", "name", "pointer_type", "flag")
_RUN_COLUMNS = (
    "id",
    "key",
    "component_name",
    "start_ts",
    "end_ts",
    "status",
    "error",
    "code_id",
    "code_hash",
    "git_hash",
    "git_tags",
    "notes",
    "params",
    "metrics",
    "test_results",
    "stale",
    "warnings",
    "staleness_threshold_s",
    "inputs_count",
    "outputs_count",
)
_INPUT_COLUMNS = ("run_id", "pointer_id", "value_hash", "start_ts")
_OUTPUT_COLUMNS = ("run_id", "pointer_id", "value_hash", "end_ts")
_DEPENDENCY_COLUMNS = ("run_id", "upstream_id", "pointer_id", "explicit")
_NOT_STALE: list[str] = []  # a fresh run's staleness until it is resolved (only read)


def _insert_runs(conn: Connection, records: list[ComponentRun]) -> list[int]:
    run_ids = allocate_ids(conn, runs, len(records))
    code = code_ids(conn, (r.code_snapshot for r in records))
    rows = (  # a generator: built while the COPY sends the rows before it
        (
            run_id,
            r.key,
            r.component_name,
            r.start_timestamp,
            r.end_timestamp,
            r.status,
            r.error,
            code.get(r.code_snapshot),
            r.code_hash,
            r.git_hash,
            r.git_tags,
            r.notes,
            strict_json(r.params),
            strict_json(r.metrics),
            strict_json(r.test_results),
            _NOT_STALE,
            r.warnings,
            float(r.staleness_threshold_s),
            _distinct_count(r.inputs),
            _distinct_count(r.outputs),
        )
        for r, run_id in zip(records, run_ids, strict=True)
    )
    bulk_insert(conn, runs, _RUN_COLUMNS, rows)
    return run_ids


def _insert_io(conn: Connection, records: list[ComponentRun], run_ids: list[int], pointer_ids: dict[str, int]) -> None:
    pairs = list(zip(records, run_ids, strict=True))
    inputs = (
        (run_id, pointer_ids[p.name], p.value_hash, record.start_timestamp)
        for record, run_id in pairs
        for p in _distinct(record.inputs, first_wins=True)
    )
    bulk_insert(conn, run_inputs, _INPUT_COLUMNS, inputs)
    outputs = (
        (run_id, pointer_ids[p.name], p.value_hash, record.end_timestamp)
        for record, run_id in pairs
        for p in _distinct(record.outputs, first_wins=False)
    )
    bulk_insert(conn, run_outputs, _OUTPUT_COLUMNS, outputs)


def _distinct_count(pointers_of_run: list[IOPointer]) -> int:
    """How many pointers of a run have distinct names."""
    return len(pointers_of_run) if len(pointers_of_run) < 2 else len({p.name for p in pointers_of_run})


def _distinct(pointers_of_run: list[IOPointer], first_wins: bool) -> Iterable[IOPointer]:
    """A run's pointers once per name, in order of first mention: with the first value hash read (inputs)
    or the last written (outputs)."""
    if len(pointers_of_run) < 2:
        return pointers_of_run  # the common case
    by_name: dict[str, IOPointer] = {}
    for p in pointers_of_run:
        if first_wins:
            by_name.setdefault(p.name, p)
        else:
            by_name[p.name] = p
    return by_name.values()


def _insert_explicit_links(conn: Connection, records: list[ComponentRun], run_ids: list[int]) -> None:
    wanted = {
        (run_id, up)
        for record, run_id in zip(records, run_ids, strict=True)
        for up in record.dependencies
        if up != run_id
    }
    if not wanted:
        return
    existing = set(conn.execute(_STORED_RUN_IDS, {"run_ids": sorted({up for _, up in wanted})}).scalars())
    rows = ((r, u, None, True) for r, u in sorted(wanted) if u in existing)
    bulk_insert(conn, dependencies, _DEPENDENCY_COLUMNS, rows)


def _build_readers_query() -> Select[Any]:
    reader, writer = run_inputs.alias("reader"), run_outputs.alias("writer")
    return (
        select(reader.c.run_id)
        .join(writer, and_(writer.c.pointer_id == reader.c.pointer_id, reader.c.start_ts >= writer.c.end_ts))
        .where(member_of(writer.c.run_id, "run_ids"), member_of(writer.c.pointer_id, "pointer_ids"))
        .distinct()
    )


def _build_resolve_query(store: bool) -> Select[Any]:
    """For each input of the given runs: the latest run that wrote that version before the reader started,
    with what the staleness rules need to know about it (one statement for both).

    `store` (PostgreSQL only): the statement also inserts the dependencies it finds (a data-modifying WITH),
    so they need not travel to Python and back, and returns only those that may make their run stale.
    """
    reader, writer = run_inputs.alias("reader"), run_outputs.alias("writer")
    latest_writer = (
        select(writer.c.run_id)
        .where(
            writer.c.pointer_id == reader.c.pointer_id,
            writer.c.end_ts <= reader.c.start_ts,
            writer.c.run_id != reader.c.run_id,
            or_(reader.c.value_hash.is_(None), writer.c.value_hash == reader.c.value_hash),
        )
        .order_by(writer.c.end_ts.desc(), writer.c.run_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    resolved = (
        select(reader.c.run_id, reader.c.pointer_id, reader.c.value_hash, latest_writer.label("upstream_id"))
        .where(looked_up_in(reader.c.run_id, "run_ids"))
        .cte("resolved")
        .prefix_with("MATERIALIZED", dialect="postgresql")  # evaluate each latest-writer lookup once
    )
    run, upstream, other = runs.alias("run"), runs.alias("upstream"), run_outputs.alias("other")
    newer_version = (  # a later run that wrote another version of the pointer before the reader started
        select(other.c.run_id)
        .where(
            other.c.pointer_id == resolved.c.pointer_id,
            resolved.c.value_hash.is_not(None),
            other.c.value_hash.is_not(None),
            other.c.value_hash != resolved.c.value_hash,
            other.c.end_ts <= run.c.start_ts,
            # later than the upstream run's output, which has the upstream run's end: no need to join that row
            tuple_(other.c.end_ts, other.c.run_id) > tuple_(upstream.c.end_ts, upstream.c.id),
        )
        .order_by(other.c.end_ts.desc(), other.c.run_id.desc())
        .limit(1)
    )
    query = (
        select(
            resolved.c.run_id,
            resolved.c.pointer_id,
            resolved.c.upstream_id,
            run.c.start_ts,
            run.c.staleness_threshold_s,
            upstream.c.component_name,
            upstream.c.start_ts,
            pointers.c.name,
            newer_version.scalar_subquery(),
        )
        .join(run, run.c.id == resolved.c.run_id)
        .join(upstream, upstream.c.id == resolved.c.upstream_id)
        .join(pointers, pointers.c.id == resolved.c.pointer_id)
    )
    if not store:
        return query
    found = select(resolved.c.run_id, resolved.c.upstream_id, resolved.c.pointer_id, false())
    stored = insert(dependencies).from_select(_DEPENDENCY_COLUMNS, found.where(resolved.c.upstream_id.is_not(None)))
    # most dependencies make no run stale: leave them in the database. A second's margin on the age keeps
    # this a superset of what `staleness_messages` decides exactly, whatever the rounding.
    age = extract("epoch", run.c.start_ts - upstream.c.start_ts)
    may_make_stale = or_(age > run.c.staleness_threshold_s - 1, newer_version.exists())
    return query.add_cte(stored.cte("stored")).where(may_make_stale)


def _build_link_facts_query() -> Select[Any]:
    """For each explicit link of the given runs: what the staleness rules need to know."""
    run, upstream = runs.alias("run"), runs.alias("upstream")
    return (
        select(
            dependencies.c.run_id,
            run.c.start_ts,
            run.c.staleness_threshold_s,
            dependencies.c.upstream_id,
            upstream.c.component_name,
            upstream.c.start_ts,
        )
        .join(run, run.c.id == dependencies.c.run_id)
        .join(upstream, upstream.c.id == dependencies.c.upstream_id)
        .where(looked_up_in(dependencies.c.run_id, "run_ids"), dependencies.c.explicit.is_(True))
    )


# built once: constructing these statements costs as much as running them
_READERS = _build_readers_query()
_RESOLVE = _build_resolve_query(store=False)
_RESOLVE_AND_STORE = _build_resolve_query(store=True)
_LINK_FACTS = _build_link_facts_query()
_DELETE_RESOLVED = delete(dependencies).where(
    looked_up_in(dependencies.c.run_id, "run_ids"), dependencies.c.explicit.is_(False)
)
_CURRENT_STALE = select(runs.c.id, runs.c.stale).where(looked_up_in(runs.c.id, "run_ids"))
_STORED_KEYS = select(runs.c.key).where(looked_up_in(runs.c.key, "keys"))
_STORED_RUN_IDS = select(runs.c.id).where(looked_up_in(runs.c.id, "run_ids"))
_STORED_POINTERS = select(pointers.c.id, pointers.c.name, pointers.c.pointer_type).where(
    looked_up_in(pointers.c.name, "names")
)
_SET_STALE = update(runs).where(runs.c.id == bindparam("rid")).values(stale=bindparam("stale_v"))


def _readers_after_new_writes(conn: Connection, run_ids: list[int], pointer_ids: list[int]) -> set[int]:
    """Stored runs that read one of `pointer_ids` at or after a new run wrote it: their resolution may change."""
    found = conn.execute(_READERS, {"run_ids": run_ids, "pointer_ids": pointer_ids}).scalars()
    return set(found) - set(run_ids)


# --- resolving -------------------------------------------------------------


def _resolve_dependencies(
    conn: Connection, run_ids: list[int], stored_before: list[int]
) -> dict[int, list[DependencyFacts]]:
    """Stores the pointer dependencies of `run_ids` afresh; returns their staleness facts by run (on
    PostgreSQL only those of dependencies that may make a run stale: the others add no message)."""
    if stored_before:
        conn.execute(_DELETE_RESOLVED, {"run_ids": stored_before})
    if conn.dialect.name == "postgresql":
        found = conn.execute(_RESOLVE_AND_STORE, {"run_ids": run_ids}).all()
    else:
        found = conn.execute(_RESOLVE, {"run_ids": run_ids}).all()
        bulk_insert(conn, dependencies, _DEPENDENCY_COLUMNS, ((row[0], row[2], row[1], False) for row in found))
    facts: dict[int, list[DependencyFacts]] = {}
    for _run_id, _pointer_id, upstream_id, start, threshold, component, upstream_start, name, newer in found:
        facts.setdefault(_run_id, []).append(
            DependencyFacts(start, threshold, upstream_id, component, upstream_start, name, newer)
        )
    return facts


def _update_staleness(
    conn: Connection, run_ids: list[int], facts: dict[int, list[DependencyFacts]], fresh: set[int]
) -> None:
    computed = {
        run_id: staleness_messages(sorted(items, key=lambda f: (f.upstream_id, f.pointer_name or "")))
        for run_id, items in facts.items()
    }
    current: dict[int, list[str]] = {run_id: [] for run_id in fresh.intersection(run_ids)}
    others = [r for r in run_ids if r not in current]
    if others:
        current.update((rid, stale) for rid, stale in conn.execute(_CURRENT_STALE, {"run_ids": others}))
    changes = [
        {"rid": r, "stale_v": computed.get(r, [])} for r in run_ids if computed.get(r, []) != (current.get(r) or [])
    ]
    if changes:
        conn.execute(_SET_STALE, changes)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
