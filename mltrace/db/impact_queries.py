"""The blast radius in SQL: one recursive walk downstream for an impact's summary, and one to flag its outputs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

from mltrace.db import audit
from mltrace.db.postgres import Prepared, index_walks_prefix
from mltrace.db.types import UTCDateTime
from mltrace.entities import PointerType
from mltrace.entities.impact import AffectedOutput, Impact
from mltrace.entities.times import EARLIEST, LATEST, iso_utc, now_utc, parse_utc, utc
from mltrace.errors import NotFoundError, run_not_found
from mltrace.lineage.impact import Selector, ranked_components

# The runs downstream (`down`: those that read the output, or the run itself, then every run that depended on one
# of them; UNION on the run id alone stops at runs already reached, so a run is reached once however many paths lead
# to it), those of them that started in [since, until) (`affected`), and the endpoint outputs they wrote: outputs of
# the endpoint type, or that no run reads (`endpoints`, one narrow row per output and affected writer, `newest` = 1
# for its latest affected writer; names are read only for the outputs listed). Every step is an index lookup by key:
# the walk by upstream run, runs by id, outputs by run, pointers by id (`_LOOKUPS`: on PostgreSQL LATERAL subqueries
# it cannot turn around; with an equality join it read every run's start for each run reached, or every output once
# per affected run: 42 s for 100,000), readers by pointer (a correlated LIMIT 1: as NOT EXISTS inside OR, PostgreSQL
# may hash every input of the store first). The walk never leaves
# the database: 100,000 runs are counted there.
_WALK = """
WITH RECURSIVE
down(run_id) AS (
    {start}
    UNION
    SELECT d.run_id FROM down JOIN run_dependencies d ON d.upstream_id = down.run_id
),
affected(id, component, start_ts) AS {materialized} (
    SELECT r.id, r.component_name, r.start_ts FROM down {runs}
    WHERE r.start_ts >= :since AND r.start_ts < :until
),
endpoints(pointer_id, flag, run_id, start_ts, newest) AS {materialized} (
    SELECT p.id, p.flag, a.id, a.start_ts, ROW_NUMBER() OVER (PARTITION BY p.id ORDER BY a.start_ts DESC, a.id DESC)
    FROM affected a {outputs} {pointers}
    WHERE p.pointer_type = 'endpoint' OR (SELECT 1 FROM run_inputs i WHERE i.pointer_id = p.id LIMIT 1) IS NULL
)
"""
_LOOKUPS = {
    "postgresql": {
        "runs": "CROSS JOIN LATERAL (SELECT * FROM component_runs r WHERE r.id = down.run_id OFFSET 0) r",
        "outputs": "CROSS JOIN LATERAL (SELECT o.pointer_id FROM run_outputs o WHERE o.run_id = a.id OFFSET 0) o",
        "pointers": "CROSS JOIN LATERAL (SELECT * FROM io_pointers p WHERE p.id = o.pointer_id OFFSET 0) p",
    },
    "sqlite": {  # SQLite keeps the left side of a CROSS JOIN outside: each of its rows is looked up by key
        "runs": "CROSS JOIN component_runs r ON r.id = down.run_id",
        "outputs": "CROSS JOIN run_outputs o ON o.run_id = a.id",
        "pointers": "CROSS JOIN io_pointers p ON p.id = o.pointer_id",
    },
}
_STARTS = {
    "output": "SELECT run_id FROM run_inputs WHERE pointer_id = :pointer",
    "run": "SELECT CAST(:run AS INTEGER)",
}
# The summary in one result, its rows told apart by their first column: a row per component (its run count), one
# with the endpoint outputs' count and how many are flagged, and the `limit` newest endpoint outputs. Those are
# ordered by their writer's start and id, then by name: `cut` is the writer of the `limit`-th newest, and only the
# outputs of it and newer writers have their names read.
_SUMMARY = """,
cut(start_ts, run_id) AS (
    SELECT start_ts, run_id FROM endpoints WHERE newest = 1 ORDER BY start_ts DESC, run_id DESC
    LIMIT 1 OFFSET :limit - 1
)
SELECT 'component', component, COUNT(*), 0, CAST(NULL AS TEXT), CAST(NULL AS TEXT), {no_time}
FROM affected GROUP BY component
UNION ALL
SELECT 'endpoints', CAST(NULL AS TEXT), COUNT(*), COALESCE(SUM(CASE WHEN flag THEN 1 ELSE 0 END), 0),
       CAST(NULL AS TEXT), CAST(NULL AS TEXT), {no_time}
FROM endpoints WHERE newest = 1
UNION ALL
SELECT * FROM (
    SELECT 'output', p.name, e.run_id, CASE WHEN p.flag THEN 1 ELSE 0 END, p.pointer_type, r.component_name, e.start_ts
    FROM endpoints e JOIN io_pointers p ON p.id = e.pointer_id JOIN component_runs r ON r.id = e.run_id
    WHERE e.newest = 1 AND NOT EXISTS (
        SELECT 1 FROM cut WHERE e.start_ts < cut.start_ts OR (e.start_ts = cut.start_ts AND e.run_id < cut.run_id)
    )
    ORDER BY e.start_ts DESC, e.run_id DESC, p.name LIMIT :limit
) newest
"""
# Flags the endpoint outputs not flagged yet, in one statement (so all or none): how many it flagged. The walk is a
# subquery so that the statement starts with UPDATE, which is how Python's sqlite3 knows to count changed rows.
_FLAG = """
UPDATE io_pointers SET flag = TRUE, flag_reason = :reason, flagged_at = :now
WHERE NOT flag AND id IN ({walk} SELECT pointer_id FROM endpoints)
"""
_MATERIALIZED = {"postgresql": "MATERIALIZED", "sqlite": ""}
_NO_TIME = {"postgresql": "CAST(NULL AS TIMESTAMPTZ)", "sqlite": "NULL"}  # UNION's columns have one type
_TIMES = (bindparam("since", type_=UTCDateTime()), bindparam("until", type_=UTCDateTime()))


# Sorting 100,000 endpoint rows for their newest writer spilled to disk under the default 4 MB, and a memo of
# pointer lookups that never hit (each output has its own pointer) only cost time: `python -m bench impact`,
# 1,000 runs of 100 predictions, 1.93× its floor with these settings against 2.25× without (218 / 253 ms).
_SORT_IN_MEMORY = {"postgresql": "SET LOCAL work_mem = '64MB'; SET LOCAL enable_memoize = off;\n", "sqlite": ""}


def _summary(dialect: str, kind: str) -> Prepared:
    walk = _WALK.format(start=_STARTS[kind], materialized=_MATERIALIZED[dialect], **_LOOKUPS[dialect]).rstrip()
    statement = text(walk + _SUMMARY.format(no_time=_NO_TIME[dialect])).bindparams(*_TIMES)
    prefix = index_walks_prefix(dialect) + _SORT_IN_MEMORY[dialect]
    return Prepared(f"impact_summary_{kind}", statement, prefix=prefix)


def _flag(dialect: str, kind: str) -> Prepared:
    walk = _WALK.format(start=_STARTS[kind], materialized=_MATERIALIZED[dialect], **_LOOKUPS[dialect])
    statement = text(_FLAG.format(walk=walk)).bindparams(*_TIMES, bindparam("now", type_=UTCDateTime()))
    return Prepared(f"impact_flag_{kind}", statement, prefix=index_walks_prefix(dialect))


_SUMMARIES = {(dialect, kind): _summary(dialect, kind) for dialect in _MATERIALIZED for kind in _STARTS}
_FLAGS = {(dialect, kind): _flag(dialect, kind) for dialect in _MATERIALIZED for kind in _STARTS}
_POINTER = Prepared("impact_pointer", text("SELECT id FROM io_pointers WHERE name = :name"))
_RUN = Prepared("impact_run", text("SELECT id FROM component_runs WHERE id = :run"))


def impact(
    conn: Connection, selector: Selector, since: datetime | None = None, until: datetime | None = None, limit: int = 20
) -> Impact:
    """The runs downstream of `selector` that started in [since, until), counted per component, and the endpoint
    outputs they wrote: their count, how many are flagged, and the `limit` newest (by their latest affected
    writer's start). NotFoundError when the output or run is not stored."""
    kind, params = _start(conn, selector)
    params.update(since=utc(since) if since else EARLIEST, until=utc(until) if until else LATEST, limit=limit)
    counts: list[tuple[str, int]] = []
    endpoints = flagged = 0
    outputs: list[AffectedOutput] = []
    rows: Sequence[Any] = _SUMMARIES[conn.dialect.name, kind].rows(conn, params)
    for tag, name, number, flag, pointer_type, component, start in rows:
        if tag == "component":
            counts.append((name, int(number)))
        elif tag == "endpoints":
            endpoints, flagged = int(number), int(flag)
        else:
            time = utc(start) if isinstance(start, datetime) else parse_utc(start)
            outputs.append(AffectedOutput(name, PointerType(pointer_type), bool(flag), int(number), component, time))
    return Impact(ranked_components(counts), endpoints, flagged, outputs)


def flag_impact(
    conn: Connection,
    selector: Selector,
    reason: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Flags every endpoint output `impact` counts that is not flagged yet, with `reason`, in one statement;
    returns how many it flagged. NotFoundError when the output or run is not stored."""
    kind, params = _start(conn, selector)
    params.update(
        since=utc(since) if since else EARLIEST, until=utc(until) if until else LATEST, reason=reason, now=now_utc()
    )
    flagged = int(_FLAGS[conn.dialect.name, kind].execute(conn, params).rowcount)
    target = selector.output_id if selector.output_id is not None else str(selector.run_id)
    after = {"flagged": flagged, "reason": reason, "since": _iso(since), "until": _iso(until)}
    audit.record(conn, "flag_impact", "output" if kind == "output" else "run", target, None, after)
    return flagged


def _iso(value: datetime | None) -> str | None:
    return None if value is None else iso_utc(value)


def _start(conn: Connection, selector: Selector) -> tuple[str, dict[str, Any]]:
    """Which walk starts the impact, with its parameter; NotFoundError when the output or run is not stored."""
    if selector.output_id is not None:
        pointer = next((found for (found,) in _POINTER.rows(conn, {"name": selector.output_id})), None)
        if pointer is None:
            raise NotFoundError(f"Output '{selector.output_id}' not found.")
        return "output", {"pointer": pointer}
    if not selector.possible or not _RUN.rows(conn, {"run": selector.run_id}):
        raise run_not_found(selector.run_id)
    return "run", {"run": selector.run_id}
