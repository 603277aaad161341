"""Stored runs as OpenLineage events (`lineage/openlineage.run_events`), with the names and facets the runs that
came in as OpenLineage had."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select

from mltrace.db import queries
from mltrace.db.membership import looked_up_in
from mltrace.db.models import runs
from mltrace.db.openlineage_ingest import names_of, run_events_of
from mltrace.entities import ComponentRun
from mltrace.errors import run_not_found
from mltrace.lineage import openlineage as ol

_REGENERATED = {"run": {"errorMessage", ol.MLTRACE_FACET}, "job": {"sourceCode"}}  # facets made from the run itself


def run_as_events(conn: Connection, run_id: int) -> list[dict[str, Any]]:
    """One run as a START and a COMPLETE/FAIL event; NotFoundError when unknown."""
    found = _events_of(conn, [run_id])
    if not found:
        raise run_not_found(run_id)
    return found


def all_events(conn: Connection, page: int = 500) -> Iterator[dict[str, Any]]:
    """Every stored run as events, oldest run first, read `page` runs at a time."""
    last = 0
    while True:
        ids = list(conn.execute(select(runs.c.id).where(runs.c.id > last).order_by(runs.c.id).limit(page)).scalars())
        if not ids:
            return
        yield from _events_of(conn, ids)
        last = ids[-1]


def _events_of(conn: Connection, run_ids: list[int]) -> list[dict[str, Any]]:
    loaded = queries.load_runs(conn, run_ids, with_code=True)
    if not loaded:
        return []
    keys = dict(conn.execute(select(runs.c.id, runs.c.key).where(looked_up_in(runs.c.id, "r")), {"r": run_ids}).all())
    names = names_of(
        conn, {r.component_name for r in loaded}, {p.name for r in loaded for p in (*r.inputs, *r.outputs)}
    )
    events: list[dict[str, Any]] = []
    for run in loaded:
        run.key = keys[run.id]
        events.extend(ol.run_events(run, names, _kept_facets(conn, run)))
    return events


def _kept_facets(conn: Connection, run: ComponentRun) -> dict[str, dict[str, Any]]:
    """The run and job facets a run came in with (an OpenLineage run), merged in event order."""
    if not run.key.startswith(ol.KEY_PREFIX):
        return {}
    kept: dict[str, dict[str, Any]] = {"run": {}, "job": {}}
    for event in run_events_of(conn, ol.run_uuid_of(run.key)):
        for where in ("run", "job"):
            for name, facet in (event[where].get("facets") or {}).items():
                if name not in _REGENERATED[where]:
                    kept[where][name] = facet
    return kept
