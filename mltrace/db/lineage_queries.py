"""Lineage queries done by the database: recursive SQL for traces and for review's evidence."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, text

from mltrace.db.locks import prefer_index_walks
from mltrace.db.queries import load_runs
from mltrace.db.types import UTCDateTime
from mltrace.errors import InvalidInputError, NotFoundError
from mltrace.lineage.review import Suspect, rank_suspects
from mltrace.lineage.trace_graph import PointerFacts, RunFacts, TraceBuilder, pointer_node_id, run_node_id

_UPSTREAM_ALL = """
WITH RECURSIVE walk(run_id) AS (
    SELECT CAST(:start AS INTEGER)
    UNION
    SELECT d.upstream_id FROM run_dependencies d JOIN walk ON d.run_id = walk.run_id
)
SELECT run_id, 0 AS depth FROM walk
"""
_UPSTREAM_DEPTH = """
WITH RECURSIVE walk(run_id, depth) AS (
    SELECT CAST(:start AS INTEGER), 1
    UNION
    SELECT d.upstream_id, walk.depth + 1 FROM run_dependencies d JOIN walk ON d.run_id = walk.run_id
    WHERE walk.depth < :depth
)
SELECT run_id, MIN(depth) AS depth FROM walk GROUP BY run_id
"""
_DOWNSTREAM_ALL = """
WITH RECURSIVE walk(run_id) AS (
    SELECT i.run_id FROM run_inputs i WHERE i.pointer_id = :pointer_id
    UNION
    SELECT d.run_id FROM run_dependencies d JOIN walk ON d.upstream_id = walk.run_id
)
SELECT run_id, 0 AS depth FROM walk
"""
_DOWNSTREAM_DEPTH = """
WITH RECURSIVE walk(run_id, depth) AS (
    SELECT i.run_id, 1 FROM run_inputs i WHERE i.pointer_id = :pointer_id
    UNION
    SELECT d.run_id, walk.depth + 1 FROM run_dependencies d JOIN walk ON d.upstream_id = walk.run_id
    WHERE walk.depth < :depth
)
SELECT run_id, MIN(depth) AS depth FROM walk GROUP BY run_id
"""


def trace(
    conn: Connection, output_id: str, direction: str = "upstream", depth: int | None = None, run_id: int | None = None
) -> dict[str, Any]:
    """The lineage graph of `output_id` (SPEC §9): upstream from its latest writer (or `run_id`),
    or downstream through every run that read it and all that came after."""
    if direction not in ("upstream", "downstream"):
        raise InvalidInputError("direction must be 'upstream' or 'downstream'")
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise InvalidInputError(f"depth must be a positive integer, got {depth!r}")
    prefer_index_walks(conn)
    row = conn.execute(
        text("SELECT id, name, pointer_type, flag FROM io_pointers WHERE name = :n"), {"n": output_id}
    ).first()
    if row is None:
        raise NotFoundError(f"Output '{output_id}' not found.")
    pointer_id = row.id
    builder = TraceBuilder(PointerFacts(row.name, row.pointer_type, bool(row.flag)), direction)
    if direction == "downstream":
        sql, params = (
            (_DOWNSTREAM_ALL, {"pointer_id": pointer_id})
            if depth is None
            else (_DOWNSTREAM_DEPTH, {"pointer_id": pointer_id, "depth": depth})
        )
        runs = _run_facts(conn, sql, params)
        if runs:
            _assemble_downstream(conn, builder, runs, pointer_id)
        return builder.build()
    start = run_id if run_id is not None else _latest_writer(conn, pointer_id)
    if start is None:
        return builder.build()
    _assemble_upstream(conn, builder, start, pointer_id, depth)
    return builder.build()


def _latest_writer(conn: Connection, pointer_id: int) -> int | None:
    return conn.execute(
        text("SELECT run_id FROM run_outputs WHERE pointer_id = :p ORDER BY end_ts DESC, run_id DESC LIMIT 1"),
        {"p": pointer_id},
    ).scalar()


def _run_facts(conn: Connection, walk_sql: str, params: dict[str, Any]) -> dict[int, RunFacts]:
    sql = text(
        f"WITH found AS ({walk_sql}) "
        "SELECT r.id, r.component_name, r.start_ts, r.end_ts, r.status, r.stale, found.depth "
        "FROM found JOIN component_runs r ON r.id = found.run_id"
    ).columns(start_ts=UTCDateTime(), end_ts=UTCDateTime())
    facts: dict[int, RunFacts] = {}
    for rid, component, start, end, status, stale, depth in conn.execute(sql, params):
        facts[rid] = RunFacts(rid, component, start, end, status, _json_list(stale), depth)
    return facts


def _json_list(value: Any) -> list[str]:
    if isinstance(value, str):
        import json

        return list(json.loads(value))
    return list(value or [])


def _io_rows(conn: Connection, table: str, run_ids: list[int]) -> list[Any]:
    sql = text(
        f"SELECT io.run_id, p.name, p.pointer_type, p.flag, io.pointer_id FROM {table} io "
        "JOIN io_pointers p ON p.id = io.pointer_id WHERE io.run_id IN :ids ORDER BY io.run_id, p.name"
    ).bindparams(bindparam("ids", expanding=True))
    return list(conn.execute(sql, {"ids": run_ids}))


def _dependency_rows(conn: Connection, run_ids: list[int], column: str) -> list[Any]:
    sql = text(
        f"SELECT run_id, upstream_id, pointer_id FROM run_dependencies WHERE {column} IN :ids "
        "ORDER BY run_id, upstream_id"
    ).bindparams(bindparam("ids", expanding=True))
    return list(conn.execute(sql, {"ids": run_ids}))


_UPSTREAM_GRAPH = """
WITH found AS ({walk})
SELECT r.id, r.component_name, r.start_ts, r.end_ts, r.status, r.stale, found.depth,
       p.name, p.pointer_type, p.flag, d.upstream_id,
       CASE WHEN r.id = :start AND EXISTS (
           SELECT 1 FROM run_outputs o WHERE o.run_id = r.id AND o.pointer_id = :root) THEN 1 ELSE 0 END AS wrote_root
FROM found
JOIN component_runs r ON r.id = found.run_id
LEFT JOIN run_inputs i ON i.run_id = r.id
LEFT JOIN io_pointers p ON p.id = i.pointer_id
LEFT JOIN run_dependencies d ON d.run_id = r.id AND d.pointer_id = i.pointer_id
UNION ALL
SELECT d.run_id, NULL, NULL, NULL, NULL, NULL, -1, NULL, NULL, NULL, d.upstream_id, 0
FROM found JOIN run_dependencies d ON d.run_id = found.run_id AND d.pointer_id IS NULL
"""


def _assemble_upstream(conn: Connection, builder: TraceBuilder, start: int, root_id: int, depth: int | None) -> None:
    """One statement: the walk, each run's facts, its inputs and which run wrote each input."""
    walk, params = (
        (_UPSTREAM_ALL, {"start": start}) if depth is None else (_UPSTREAM_DEPTH, {"start": start, "depth": depth})
    )
    sql = text(_UPSTREAM_GRAPH.format(walk=walk)).columns(start_ts=UTCDateTime(), end_ts=UTCDateTime())
    rows = [tuple(r) for r in conn.execute(sql, {**params, "root": root_id})]
    if not any(r[6] >= 0 for r in rows):
        raise NotFoundError(f"Component run {start} not found.")
    runs = [r for r in rows if r[6] >= 0]
    included = {r[0] for r in runs}
    runs.sort(key=lambda r: (r[6], r[0]))
    for rid, component, start_ts, end_ts, status, stale, run_depth, *_, wrote_root in runs:
        node = run_node_id(rid)
        if node not in builder:
            builder.add_run(RunFacts(rid, component, start_ts, end_ts, status, _json_list(stale), run_depth))
        if wrote_root:
            builder.add_edge(node, builder.root)
    for rid, *_, run_depth, name, pointer_type, flag, upstream_id, _wrote in rows:
        if run_depth < 0:  # an explicit link between runs
            if upstream_id in included:
                builder.add_edge(run_node_id(upstream_id), run_node_id(rid))
        elif name is not None:
            pointer = builder.add_pointer(PointerFacts(name, pointer_type, bool(flag)))
            builder.add_edge(pointer, run_node_id(rid))
            if upstream_id in included:
                builder.add_edge(run_node_id(upstream_id), pointer)


def _assemble_downstream(conn: Connection, builder: TraceBuilder, runs: dict[int, RunFacts], pointer_id: int) -> None:
    for rid in sorted(runs, key=lambda r: (runs[r].depth, r)):
        builder.add_run(runs[rid])
    readers = conn.execute(text("SELECT run_id FROM run_inputs WHERE pointer_id = :p"), {"p": pointer_id}).scalars()
    for rid in readers:
        if rid in runs:
            builder.add_edge(builder.root, run_node_id(rid))
    ids = sorted(runs)
    written: dict[int, str] = {}
    for rid, name, ptype, flag, pid in _io_rows(conn, "run_outputs", ids):
        written[pid] = name
        builder.add_edge(run_node_id(rid), builder.add_pointer(PointerFacts(name, ptype, bool(flag))))
    for rid, upstream, pid in _dependency_rows(conn, ids, "upstream_id"):
        if rid not in runs:
            continue  # beyond the depth limit
        if pid is None:
            builder.add_edge(run_node_id(upstream), run_node_id(rid))
        elif pid in written:
            builder.add_edge(pointer_node_id(written[pid]), run_node_id(rid))


_FLAGGED_EVIDENCE = """
WITH RECURSIVE
origin(pointer_id, run_id) AS (
    SELECT p.id, (SELECT o.run_id FROM run_outputs o WHERE o.pointer_id = p.id
                  ORDER BY o.end_ts DESC, o.run_id DESC LIMIT 1)
    FROM io_pointers p WHERE p.flag = :flag
),
walk(pointer_id, run_id) AS (
    SELECT pointer_id, run_id FROM origin WHERE run_id IS NOT NULL
    UNION
    SELECT walk.pointer_id, d.upstream_id FROM run_dependencies d JOIN walk ON d.run_id = walk.run_id
)
SELECT run_id, COUNT(DISTINCT pointer_id) FROM walk GROUP BY run_id
"""
_FLAGGED_COMPONENTS = """
SELECT DISTINCT r.component_name FROM io_pointers p
JOIN run_outputs o ON o.pointer_id = p.id JOIN component_runs r ON r.id = o.run_id
WHERE p.flag = :flag
"""
_PASSING_EVIDENCE = """
WITH RECURSIVE walk(suspect, run_id) AS (
    SELECT id, id FROM component_runs WHERE id IN :suspects
    UNION
    SELECT walk.suspect, d.run_id FROM run_dependencies d JOIN walk ON d.upstream_id = walk.run_id
)
SELECT walk.suspect, COUNT(DISTINCT o.pointer_id) FROM walk
JOIN component_runs r ON r.id = walk.run_id AND r.component_name IN :components
JOIN run_outputs o ON o.run_id = walk.run_id
JOIN io_pointers p ON p.id = o.pointer_id AND p.flag = :unflagged
GROUP BY walk.suspect
"""


def review(conn: Connection, limit: int = 20) -> dict[str, Any]:
    """Flagged outputs and the runs behind them, most suspicious first (SPEC §5)."""
    prefer_index_walks(conn)
    flagged = list(
        conn.execute(
            text("SELECT name FROM io_pointers WHERE flag = :flag ORDER BY flagged_at DESC, name"), {"flag": True}
        ).scalars()
    )
    if not flagged:
        return {"flagged": [], "runs": []}
    flagged_counts: dict[int, int] = {rid: n for rid, n in conn.execute(text(_FLAGGED_EVIDENCE), {"flag": True})}
    components = list(conn.execute(text(_FLAGGED_COMPONENTS), {"flag": True}).scalars())
    passing_counts: dict[int, int] = {}
    if flagged_counts and components:
        sql = text(_PASSING_EVIDENCE).bindparams(
            bindparam("suspects", expanding=True), bindparam("components", expanding=True)
        )
        params = {"suspects": sorted(flagged_counts), "components": components, "unflagged": False}
        passing_counts = {rid: n for rid, n in conn.execute(sql, params)}
    runs = {r.id: r for r in load_runs(conn, sorted(flagged_counts)) if r.id is not None}
    starts = {rid: run.start_timestamp for rid, run in runs.items() if run.start_timestamp is not None}
    suspects: list[Suspect] = rank_suspects(
        {rid: c for rid, c in flagged_counts.items() if rid in starts}, passing_counts, starts, len(flagged)
    )[:limit]
    return {"flagged": flagged, "runs": [(runs[s.run_id], s.count, s.coverage, s.score) for s in suspects]}
