"""Stores OpenLineage events and (re)builds the mltrace run of every runId they touch, in the caller's transaction.

Each event is kept as it came (`openlineage_events`, once per content); a run is then built from all the events of
its runId (`lineage/openlineage.run_from_events`), so START, RUNNING and COMPLETE merge in any arrival order. A runId
seen for the first time is stored by `ingest` like any run; one already stored is rewritten in place (same id):
its row, inputs and outputs replaced, its dependencies and those of the runs that read what it wrote or writes
resolved again. The `parent` facet becomes an explicit link from the parent run, made whichever of the two arrives
first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from mltrace.db import ingest as runs_ingest
from mltrace.db.code_snapshots import code_ids
from mltrace.db.locks import lock_for_writes
from mltrace.db.membership import looked_up_in
from mltrace.db.models import (
    dependencies,
    openlineage_events,
    openlineage_names,
    run_inputs,
    run_metrics,
    run_outputs,
    run_params,
    runs,
)
from mltrace.db.run_values import store_run_values
from mltrace.entities import ComponentRun
from mltrace.entities.json_values import strict_json
from mltrace.lineage import openlineage as ol


@dataclass
class StoredEvent:
    """What storing one event did: the mltrace run it is part of (None for a JobEvent or DatasetEvent), and
    whether the same event was stored before."""

    run_id: int | None
    duplicate: bool


def store_events(conn: Connection, events: list[dict[str, Any]]) -> list[StoredEvent]:
    """Stores checked events (`ol.event_problems` is empty for each) and rebuilds their runs."""
    lock_for_writes(conn)
    digests = [ol.event_digest(e) for e in events]
    stored = set(
        conn.execute(
            select(openlineage_events.c.digest).where(looked_up_in(openlineage_events.c.digest, "d")), {"d": digests}
        ).scalars()
    )
    rows: list[dict[str, Any]] = []
    seen = set(stored)
    duplicate = []
    for event, digest in zip(events, digests, strict=True):
        duplicate.append(digest in seen)
        if digest in seen:
            continue
        seen.add(digest)
        run = event.get("run") if ol.event_kind(event) == "run" else None
        parent = ((run or {}).get("facets") or {}).get("parent")
        rows.append(
            {
                "digest": digest,
                "run_uuid": None if run is None else _uuid(run["runId"]),
                "parent_uuid": None if parent is None else _uuid(parent["run"]["runId"]),
                "event_type": event.get("eventType") if run is not None else None,
                "event_time": ol.event_time(event["eventTime"]),
                "body": event,
            }
        )
    if rows:
        conn.execute(insert(openlineage_events), rows)
    touched: list[str] = sorted({r["run_uuid"] for r in rows if r["run_uuid"] is not None})
    if touched:
        _rebuild(conn, touched)
    _store_unattached(conn, [e for e in events if ol.event_kind(e) != "run"])
    keys = [ol.run_key(e["run"]["runId"]) if ol.event_kind(e) == "run" else None for e in events]
    ids = _ids_by_key(conn, [k for k in keys if k is not None])
    return [StoredEvent(None if key is None else ids.get(key), dup) for key, dup in zip(keys, duplicate, strict=True)]


def run_events_of(conn: Connection, run_uuid: str) -> list[dict[str, Any]]:
    """The events stored for one runId, in the order they mean."""
    bodies = conn.execute(select(openlineage_events.c.body).where(openlineage_events.c.run_uuid == run_uuid)).scalars()
    return ol.sort_events(list(bodies))


Names = dict[tuple[str, str], tuple[str, str]]  # (kind, mltrace name) -> (namespace, name)


def names_of(conn: Connection, components: Iterable[str], pointer_names: Iterable[str]) -> Names:
    """The OpenLineage (namespace, name) of the components and pointers that came in as OpenLineage."""
    wanted = sorted({*components, *pointer_names})
    if not wanted:
        return {}
    found = conn.execute(
        select(
            openlineage_names.c.kind,
            openlineage_names.c.mltrace_name,
            openlineage_names.c.namespace,
            openlineage_names.c.name,
        ).where(looked_up_in(openlineage_names.c.mltrace_name, "n")),
        {"n": wanted},
    )
    return {(kind, mltrace_name): (namespace, name) for kind, mltrace_name, namespace, name in found}


def _uuid(value: str) -> str:
    return ol.run_key(value)[len(ol.KEY_PREFIX) :]


def _rebuild(conn: Connection, run_uuids: list[str]) -> dict[str, int]:
    """Builds the runs of `run_uuids` from all their events; returns their ids by runId."""
    bodies: dict[str, list[dict[str, Any]]] = {u: [] for u in run_uuids}
    query = select(openlineage_events.c.run_uuid, openlineage_events.c.body).where(
        looked_up_in(openlineage_events.c.run_uuid, "u")
    )
    for run_uuid, body in conn.execute(query, {"u": run_uuids}):
        bodies[run_uuid].append(body)
    mapped = {u: ol.run_from_events(u, events) for u, events in bodies.items()}
    keys = [ol.run_key(u) for u in run_uuids]
    parents = sorted({m.parent_uuid for m in mapped.values() if m.parent_uuid is not None})
    existing = _ids_by_key(conn, keys + [ol.run_key(p) for p in parents])
    for m in mapped.values():
        parent_id = existing.get(ol.run_key(m.parent_uuid)) if m.parent_uuid else None
        m.record.dependencies = [parent_id] if parent_id is not None else []
    _remember_names(conn, mapped.values())
    new = [m.record for u, m in mapped.items() if ol.run_key(u) not in existing]
    ids = {u: existing[ol.run_key(u)] for u in run_uuids if ol.run_key(u) in existing}
    if new:
        for record, run_id in zip(new, runs_ingest.ingest(conn, new, never_delivered=True), strict=True):
            ids[record.key[len(ol.KEY_PREFIX) :]] = run_id
    replaced = [(ids[u], m.record) for u, m in mapped.items() if ol.run_key(u) in existing]
    if replaced:
        _replace(conn, replaced)
    _link_children(conn, ids)
    return ids


def _ids_by_key(conn: Connection, keys: list[str]) -> dict[str, int]:
    query = select(runs.c.key, runs.c.id).where(looked_up_in(runs.c.key, "k"))
    return {key: run_id for key, run_id in conn.execute(query, {"k": sorted(set(keys))})}


def _replace(conn: Connection, replaced: list[tuple[int, ComponentRun]]) -> None:
    """Rewrites stored runs from their rebuilt records, keeping their ids, and resolves what that changes."""
    run_ids = [run_id for run_id, _ in replaced]
    records = [record for _, record in replaced]
    old_outputs = set(
        conn.execute(
            select(run_outputs.c.pointer_id).where(looked_up_in(run_outputs.c.run_id, "r")), {"r": run_ids}
        ).scalars()
    )
    old_readers = set(
        conn.execute(
            select(dependencies.c.run_id).where(looked_up_in(dependencies.c.upstream_id, "r")), {"r": run_ids}
        ).scalars()
    )
    code = code_ids(conn, (record.code_snapshot for record in records))
    conn.execute(
        update(runs).where(runs.c.id == bindparam("v_rid")).values({c: _bind(c) for c in _REPLACED}),
        [_run_values(run_id, record, code) for run_id, record in replaced],
    )
    for table in (run_inputs, run_outputs, run_params, run_metrics):
        conn.execute(delete(table).where(looked_up_in(table.c.run_id, "r")), {"r": run_ids})
    store_run_values(conn, records, run_ids)
    conn.execute(
        delete(dependencies).where(looked_up_in(dependencies.c.run_id, "r"), dependencies.c.explicit.is_(True)),
        {"r": run_ids},
    )
    runs_ingest._upsert_components(conn, records)
    pointer_ids, _ = runs_ingest._upsert_pointers(conn, records)
    runs_ingest._insert_io(conn, records, run_ids, pointer_ids)
    runs_ingest._insert_explicit_links(conn, records, run_ids)
    written = {pointer_ids[p.name] for r in records for p in r.outputs} | old_outputs
    affected = runs_ingest._readers_after_new_writes(conn, run_ids, sorted(written)) if written else set()
    runs_ingest.resolve(conn, sorted({*run_ids, *affected, *old_readers}), fresh=set(), linked=set())


def _bind(name: str) -> Any:
    return bindparam(f"v_{name}")


_REPLACED = (
    "component_name",
    "start_ts",
    "end_ts",
    "status",
    "error",
    "code_id",
    "code_hash",
    "git_hash",
    "notes",
    "params",
    "metrics",
    "test_results",
    "inputs_count",
    "outputs_count",
)


def _run_values(run_id: int, r: ComponentRun, code: dict[str | None, int]) -> dict[str, Any]:
    values = {
        "rid": run_id,
        "component_name": r.component_name,
        "start_ts": r.start_timestamp,
        "end_ts": r.end_timestamp,
        "status": r.status,
        "error": r.error,
        "code_id": code.get(r.code_snapshot),
        "code_hash": r.code_hash,
        "git_hash": r.git_hash,
        "notes": r.notes,
        "params": strict_json(r.params),
        "metrics": strict_json(r.metrics),
        "test_results": strict_json(r.test_results),
        "inputs_count": len({p.name for p in r.inputs}),
        "outputs_count": len({p.name for p in r.outputs}),
    }
    return {f"v_{k}": v for k, v in values.items()}


def _link_children(conn: Connection, parent_ids: dict[str, int]) -> None:
    """Explicit links from these runs to stored runs whose `parent` facet names them and are not linked yet."""
    query = (
        select(openlineage_events.c.parent_uuid, openlineage_events.c.run_uuid)
        .where(looked_up_in(openlineage_events.c.parent_uuid, "p"))
        .distinct()
    )
    pairs = conn.execute(query, {"p": sorted(parent_ids)}).all()
    if not pairs:
        return
    child_ids = _ids_by_key(conn, [ol.run_key(child) for _, child in pairs])
    wanted = {
        (child_ids[ol.run_key(child)], parent_ids[parent])
        for parent, child in pairs
        if ol.run_key(child) in child_ids and child_ids[ol.run_key(child)] != parent_ids[parent]
    }
    present = (
        set(
            conn.execute(
                select(dependencies.c.run_id, dependencies.c.upstream_id).where(
                    looked_up_in(dependencies.c.run_id, "r"), dependencies.c.explicit.is_(True)
                ),
                {"r": sorted({c for c, _ in wanted})},
            ).all()
        )
        if wanted
        else set()
    )
    missing = sorted(wanted - {tuple(p) for p in present})
    if not missing:
        return
    conn.execute(
        insert(dependencies),
        [{"run_id": c, "upstream_id": p, "pointer_id": None, "explicit": True} for c, p in missing],
    )
    runs_ingest.resolve(conn, sorted({c for c, _ in missing}), fresh=set(), linked=set())


def _remember_names(conn: Connection, mapped: Iterable[ol.MappedRun]) -> None:
    names: Names = {}
    for m in mapped:
        names[("job", m.record.component_name)] = m.job
        for pointer, original in m.datasets.items():
            names[("dataset", pointer)] = original
    _store_names(conn, names)


def _store_names(conn: Connection, names: Names) -> None:
    """Remembers the OpenLineage names of components and pointers not in the namespace `mltrace`."""
    wanted = {k: v for k, v in names.items() if v[0] != ol.NAMESPACE}
    if not wanted:
        return
    known = names_of(conn, [n for _, n in wanted], [])
    rows = [
        {"kind": kind, "mltrace_name": name, "namespace": ns, "name": original}
        for (kind, name), (ns, original) in sorted(wanted.items())
        if (kind, name) not in known
    ]
    if rows:
        conn.execute(insert(openlineage_names), rows)


def _store_unattached(conn: Connection, events: list[dict[str, Any]]) -> None:
    """JobEvents and DatasetEvents: their components and pointers (a JobEvent's job facets on its component)."""
    if not events:
        return
    records = []
    names: Names = {}
    for event in events:
        datasets = ol.datasets_of(event)
        if ol.event_kind(event) == "job":
            job = event["job"]
            record = ComponentRun(ol.mltrace_name(job["namespace"], job["name"]))
            ol._apply_job_facets(record, job.get("facets") or {})
            names[("job", record.component_name)] = (job["namespace"], job["name"])
        else:
            record = ComponentRun("")
        record.inputs = [ol.pointer_of(ns, name, facets) for ns, name, facets in datasets]
        names.update(
            {("dataset", p.name): (ns, name) for p, (ns, name, _) in zip(record.inputs, datasets, strict=True)}
        )
        records.append(record)
    with_component = [r for r in records if r.component_name]
    if with_component:
        runs_ingest._upsert_components(conn, with_component)
    if any(r.inputs for r in records):
        runs_ingest._upsert_pointers(conn, records)
    _store_names(conn, names)
