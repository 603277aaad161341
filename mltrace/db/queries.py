"""Read and small-update queries that return entities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Select, func, select, tuple_, update

from mltrace.db.locks import lock_for_writes
from mltrace.db.models import (
    ComponentRow,
    PointerRow,
    component_tags,
    components,
    dependencies,
    pointers,
    run_inputs,
    run_outputs,
    runs,
)
from mltrace.entities import Component, ComponentRun, IOPointer, PointerType
from mltrace.errors import NotFoundError

_SUMMARY_COLUMNS = [c for c in runs.c if c.name not in ("code_snapshot", "key")]


def load_runs(conn: Connection, run_ids: Sequence[int], with_code: bool = False) -> list[ComponentRun]:
    """The runs with these ids, hydrated with inputs, outputs and dependencies, in the order given."""
    if not run_ids:
        return []
    columns = list(_SUMMARY_COLUMNS) + ([runs.c.code_snapshot] if with_code else [])
    rows = {row.id: row for row in conn.execute(select(*columns).where(runs.c.id.in_(run_ids)))}
    io: dict[int, tuple[list[IOPointer], list[IOPointer]]] = {rid: ([], []) for rid in rows}
    types = {t.value: t for t in PointerType}
    for table, slot in ((run_inputs, 0), (run_outputs, 1)):
        query = (
            select(
                table.c.run_id,
                pointers.c.name,
                pointers.c.pointer_type,
                table.c.value_hash,
                pointers.c.flag,
                pointers.c.flag_reason,
                pointers.c.flagged_at,
            )
            .join(pointers, pointers.c.id == table.c.pointer_id)
            .where(table.c.run_id.in_(run_ids))
        )
        for run_id, name, ptype, value_hash, flag, reason, flagged_at in conn.execute(query):
            io[run_id][slot].append(IOPointer(name, types[ptype], value_hash, bool(flag), reason, flagged_at))
    for inputs, outputs in io.values():  # sorted here: cheaper than a collating sort in the database
        inputs.sort(key=lambda p: p.name)
        outputs.sort(key=lambda p: p.name)
    deps: dict[int, list[int]] = {rid: [] for rid in rows}
    dep_query = select(dependencies.c.run_id, dependencies.c.upstream_id).where(dependencies.c.run_id.in_(run_ids))
    for run_id, upstream_id in conn.execute(
        dep_query.distinct().order_by(dependencies.c.run_id, dependencies.c.upstream_id)
    ):
        deps[run_id].append(upstream_id)
    return [_run_entity(rows[rid], io[rid], deps[rid], with_code) for rid in run_ids if rid in rows]


def get_run(conn: Connection, run_id: int) -> ComponentRun:
    """One run with its code snapshot; NotFoundError when unknown."""
    found = load_runs(conn, [run_id], with_code=True)
    if not found:
        raise NotFoundError(f"Component run {run_id} not found.")
    return found[0]


def recent_runs(conn: Connection, limit: int, before: tuple[datetime, int] | None = None) -> list[ComponentRun]:
    """Runs newest first (by start, then id), strictly before the cursor when given."""
    query: Select[Any] = select(runs.c.id)
    if before is not None:
        query = query.where(tuple_(runs.c.start_ts, runs.c.id) < tuple_(*before))
    ids = conn.execute(query.order_by(runs.c.start_ts.desc(), runs.c.id.desc()).limit(limit)).scalars().all()
    return load_runs(conn, ids)


def recent_run_ids(conn: Connection, limit: int, last_run_id: int | None = None) -> list[int]:
    """Ids of the newest runs, older than `last_run_id` when given (original API)."""
    query = select(runs.c.id)
    if last_run_id is not None:
        anchor = conn.execute(select(runs.c.start_ts).where(runs.c.id == last_run_id)).scalar()
        if anchor is None:
            raise NotFoundError(f"Component run {last_run_id} not found.")
        query = query.where(tuple_(runs.c.start_ts, runs.c.id) < tuple_(anchor, last_run_id))
    return list(conn.execute(query.order_by(runs.c.start_ts.desc(), runs.c.id.desc()).limit(limit)).scalars())


def history(
    conn: Connection, component: str, limit: int | None, since: datetime | None = None, until: datetime | None = None
) -> list[ComponentRun]:
    """Runs of `component`, newest first; `since` inclusive, `until` exclusive."""
    get_component(conn, component)
    query = select(runs.c.id).where(runs.c.component_name == component)
    if since is not None:
        query = query.where(runs.c.start_ts >= since)
    if until is not None:
        query = query.where(runs.c.start_ts < until)
    query = query.order_by(runs.c.start_ts.desc(), runs.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return load_runs(conn, conn.execute(query).scalars().all())


def get_component(conn: Connection, name: str) -> Component:
    """One component with its tags; NotFoundError when unknown."""
    row = conn.execute(select(components).where(components.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"Component '{name}' not found.")
    return ComponentRow.to_entity(row, _tags_of(conn, [name]).get(name, []))


def list_components(conn: Connection, tag: str | None = None, owner: str | None = None) -> list[Component]:
    """Components by name, optionally only those with `tag` and/or `owner`."""
    query = select(components).order_by(components.c.name)
    if tag is not None:
        query = query.where(
            components.c.name.in_(select(component_tags.c.component_name).where(component_tags.c.tag == tag))
        )
    if owner is not None:
        query = query.where(components.c.owner == owner)
    rows = conn.execute(query).all()
    tags = _tags_of(conn, [r.name for r in rows])
    return [ComponentRow.to_entity(r, tags.get(r.name, [])) for r in rows]


def list_tags(conn: Connection) -> list[str]:
    """Every tag in use, sorted."""
    return list(conn.execute(select(component_tags.c.tag).distinct().order_by(component_tags.c.tag)).scalars())


def create_component(conn: Connection, name: str, description: str | None, owner: str | None, tags: list[str]) -> None:
    """Creates a component or updates the metadata given; adds tags."""
    lock_for_writes(conn)
    existing = conn.execute(select(components.c.name).where(components.c.name == name)).scalar()
    if existing is None:
        conn.execute(components.insert().values(name=name, description=description or "", owner=owner or ""))
    else:
        values = {k: v for k, v in (("description", description), ("owner", owner)) if v is not None}
        if values:
            conn.execute(update(components).where(components.c.name == name).values(**values))
    add_tags(conn, name, tags)


def add_tags(conn: Connection, name: str, tags: list[str]) -> None:
    """Adds tags to an existing component; NotFoundError when unknown."""
    lock_for_writes(conn)
    get_component(conn, name)
    have = set(_tags_of(conn, [name]).get(name, []))
    new = [t for t in dict.fromkeys(tags) if t not in have]
    if new:
        conn.execute(component_tags.insert(), [{"component_name": name, "tag": t} for t in new])


def get_pointer(conn: Connection, name: str) -> IOPointer:
    """One IO pointer; NotFoundError when it was never logged."""
    row = conn.execute(select(pointers).where(pointers.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"Output '{name}' not found.")
    return PointerRow.to_entity(row)


def create_pointer(conn: Connection, name: str, pointer_type: PointerType) -> IOPointer:
    """Returns the pointer, creating it first if needed (original `get_io_pointer(create=True)`)."""
    lock_for_writes(conn)
    if conn.execute(select(pointers.c.id).where(pointers.c.name == name)).scalar() is None:
        conn.execute(pointers.insert().values(name=name, pointer_type=pointer_type.value, flag=False))
    return get_pointer(conn, name)


def set_flag(conn: Connection, name: str, flagged: bool, reason: str | None = None) -> IOPointer:
    """Flags or unflags one output; NotFoundError when it was never logged."""
    get_pointer(conn, name)
    values: dict[str, Any] = {
        "flag": flagged,
        "flag_reason": reason if flagged else None,
        "flagged_at": datetime.now(timezone.utc) if flagged else None,
    }
    conn.execute(update(pointers).where(pointers.c.name == name).values(**values))
    return get_pointer(conn, name)


def unflag_all(conn: Connection) -> int:
    """Clears every flag; returns how many were set."""
    result = conn.execute(
        update(pointers).where(pointers.c.flag.is_(True)).values(flag=False, flag_reason=None, flagged_at=None)
    )
    return result.rowcount


def flagged_pointers(conn: Connection) -> list[IOPointer]:
    """Every flagged output, most recently flagged first."""
    rows = conn.execute(
        select(pointers).where(pointers.c.flag.is_(True)).order_by(pointers.c.flagged_at.desc(), pointers.c.name)
    )
    return [PointerRow.to_entity(r) for r in rows]


def set_notes(conn: Connection, run_id: int, notes: str) -> ComponentRun:
    """Replaces a run's notes; NotFoundError when unknown."""
    result = conn.execute(update(runs).where(runs.c.id == run_id).values(notes=notes))
    if result.rowcount == 0:
        raise NotFoundError(f"Component run {run_id} not found.")
    return get_run(conn, run_id)


def search(conn: Connection, q: str, limit: int) -> list[dict[str, str]]:
    """Completion candidates whose text starts with or contains `q`: components, tags, outputs, run ids."""
    pattern = f"%{_escape_like(q)}%"
    results: list[dict[str, str]] = []
    if q.isdigit():
        for run_id, component in conn.execute(select(runs.c.id, runs.c.component_name).where(runs.c.id == int(q))):
            results.append({"kind": "run", "value": str(run_id), "label": f"run {run_id} ({component})"})
    for (name,) in conn.execute(
        select(components.c.name)
        .where(components.c.name.ilike(pattern, escape="\\"))
        .order_by(func.length(components.c.name), components.c.name)
        .limit(limit)
    ):
        results.append({"kind": "component", "value": name, "label": name})
    for (tag,) in conn.execute(
        select(component_tags.c.tag).where(component_tags.c.tag.ilike(pattern, escape="\\")).distinct().limit(limit)
    ):
        results.append({"kind": "tag", "value": tag, "label": tag})
    for (name,) in conn.execute(
        select(pointers.c.name)
        .where(pointers.c.name.ilike(pattern, escape="\\"))
        .order_by(func.length(pointers.c.name), pointers.c.name)
        .limit(limit)
    ):
        results.append({"kind": "output", "value": name, "label": name})
    return results[:limit]


def count_runs(conn: Connection) -> int:
    """How many runs are stored."""
    return int(conn.execute(select(func.count()).select_from(runs)).scalar_one())


def _escape_like(q: str) -> str:
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _tags_of(conn: Connection, names: list[str]) -> dict[str, list[str]]:
    if not names:
        return {}
    out: dict[str, list[str]] = {}
    query = select(component_tags.c.component_name, component_tags.c.tag).where(
        component_tags.c.component_name.in_(names)
    )
    for name, tag in conn.execute(query.order_by(component_tags.c.tag)):
        out.setdefault(name, []).append(tag)
    return out


def _run_entity(
    row: Any, io: tuple[list[IOPointer], list[IOPointer]], deps: list[int], with_code: bool
) -> ComponentRun:
    return ComponentRun(
        component_name=row.component_name,
        id=row.id,
        start_timestamp=row.start_ts,
        end_timestamp=row.end_ts,
        status=row.status,
        error=row.error,
        inputs=io[0],
        outputs=io[1],
        dependencies=deps,
        code_snapshot=row.code_snapshot if with_code else None,
        code_hash=row.code_hash,
        git_hash=row.git_hash,
        git_tags=list(row.git_tags or []),
        notes=row.notes or "",
        params=dict(row.params or {}),
        metrics=dict(row.metrics or {}),
        test_results=list(row.test_results or []),
        stale=list(row.stale or []),
        warnings=list(row.warnings or []),
    )
