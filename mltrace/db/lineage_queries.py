"""Lineage queries done by the database: recursive SQL for traces and for review's evidence."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, text

from mltrace.db.copy_out import NULL, copy_out, copy_text
from mltrace.db.locks import index_walks_prefix
from mltrace.db.membership import ValueList, id_rows
from mltrace.db.prepared import Prepared
from mltrace.db.queries import load_runs
from mltrace.entities.component_run import MAX_RUN_ID
from mltrace.entities.times import parse_utc
from mltrace.errors import InvalidInputError, NotFoundError, run_not_found
from mltrace.lineage.review import Suspect, rank_suspects
from mltrace.lineage.trace_graph import RunFacts, TraceAssembler, empty_graph

# A walk's rows are (via, run_id, pointer_id, depth): `run_id` reached from the run `via` (NULL where the
# walk starts) through a dependency on a pointer (NULL for an explicit link). UNION stops the walk at steps
# already taken. With a depth limit the walk also takes the step out of the last level, whose dependencies
# may lead back to runs inside the limit. `{start}` and `{depth}` are bind parameters, or on PostgreSQL, where
# the walk is streamed by COPY, the integers themselves.
_WALKS = {
    ("upstream", False): """
WITH RECURSIVE walk(via, run_id, pointer_id) AS (
    SELECT CAST(NULL AS INTEGER), CAST({start} AS INTEGER), CAST(NULL AS INTEGER)
    UNION
    SELECT d.run_id, d.upstream_id, d.pointer_id FROM walk JOIN run_dependencies d ON d.run_id = walk.run_id
)""",
    ("upstream", True): """
WITH RECURSIVE walk(via, run_id, pointer_id, depth) AS (
    SELECT CAST(NULL AS INTEGER), CAST({start} AS INTEGER), CAST(NULL AS INTEGER), 1
    UNION
    SELECT d.run_id, d.upstream_id, d.pointer_id, walk.depth + 1
    FROM walk JOIN run_dependencies d ON d.run_id = walk.run_id WHERE walk.depth <= {depth}
)""",
    ("downstream", False): """
WITH RECURSIVE walk(via, run_id, pointer_id) AS (
    SELECT CAST(NULL AS INTEGER), run_id, pointer_id FROM run_inputs WHERE pointer_id = {start}
    UNION
    SELECT d.upstream_id, d.run_id, d.pointer_id FROM walk JOIN run_dependencies d ON d.upstream_id = walk.run_id
)""",
    ("downstream", True): """
WITH RECURSIVE walk(via, run_id, pointer_id, depth) AS (
    SELECT CAST(NULL AS INTEGER), run_id, pointer_id, 1 FROM run_inputs WHERE pointer_id = {start}
    UNION
    SELECT d.upstream_id, d.run_id, d.pointer_id, walk.depth + 1
    FROM walk JOIN run_dependencies d ON d.upstream_id = walk.run_id WHERE walk.depth <= {depth}
)""",
}
# Each step comes with the facts of its pointer and of the run it reached, including how many pointers that run
# read (upstream) or wrote (downstream): when the steps show them all, the run's pointers need no lookup.
# Times and staleness are read as text (no staleness as NULL).
_STEPS = """
SELECT walk.via, walk.run_id, walk.pointer_id, p.name, p.pointer_type, p.flag, {depth}, r.component_name,
       {start_ts}, {end_ts}, r.status, NULLIF(CAST(r.stale AS TEXT), '[]'), r.{io_count}
FROM walk JOIN component_runs r ON r.id = walk.run_id LEFT JOIN io_pointers p ON p.id = walk.pointer_id
"""
_TIME_TEXT = {  # ISO 8601 with an offset, for `datetime.fromisoformat`
    "postgresql": "CAST({column} AS TEXT)",  # in the session's zone; psycopg2 keeps the ISO style
    "sqlite": "{column} || '+00:00'",  # kept as naive UTC text
}
# The pointers that runs read (upstream) or wrote (downstream) beyond those their steps showed; each id an
# index lookup.
_IO = """
SELECT io.run_id, p.name, p.pointer_type, p.flag
FROM {ids} JOIN {table} io ON io.run_id = ids.id JOIN io_pointers p ON p.id = io.pointer_id
"""
_IO_TABLES = {"upstream": "run_inputs", "downstream": "run_outputs"}
_IO_COUNTS = {"upstream": "inputs_count", "downstream": "outputs_count"}
_ROOT = Prepared(
    "trace_root",
    text("""
SELECT p.id, p.name, p.pointer_type, p.flag,
       (SELECT o.run_id FROM run_outputs o
        WHERE o.pointer_id = p.id AND (CAST(:run AS INTEGER) IS NULL OR o.run_id = :run)
        ORDER BY o.end_ts DESC, o.run_id DESC LIMIT 1)
FROM io_pointers p WHERE p.name = :name
"""),
)


def _walk_sql(dialect: str, direction: str, limited: bool) -> str:
    time_text = _TIME_TEXT[dialect]
    steps = _STEPS.format(
        depth="walk.depth" if limited else "0",
        start_ts=time_text.format(column="r.start_ts"),
        end_ts=time_text.format(column="r.end_ts"),
        io_count=_IO_COUNTS[direction],
    )
    return _WALKS[direction, limited] + steps


def _io_statement(dialect: str, direction: str) -> Prepared:
    sql = _IO.format(ids=id_rows(dialect, "ids"), table=_IO_TABLES[direction])
    statement = text(sql).bindparams(bindparam("ids", type_=ValueList()))
    return Prepared(f"trace_{direction}_pointers", statement, prefix=index_walks_prefix(dialect))


_COPIED_WALKS = {key: _walk_sql("postgresql", *key) for key in _WALKS}
_SQLITE_WALKS = {key: text(_walk_sql("sqlite", *key).format(start=":start", depth=":depth")) for key in _WALKS}
_IO_STATEMENTS = {(dialect, d): _io_statement(dialect, d) for dialect in _TIME_TEXT for d in _IO_TABLES}


def trace(
    conn: Connection, output_id: str, direction: str = "upstream", depth: int | None = None, run_id: int | None = None
) -> dict[str, Any]:
    """The lineage graph of `output_id` (SPEC §9): upstream from its latest writer (or `run_id`),
    or downstream through every run that read it and all that came after.

    After the pointer's row, one statement: the walk with the facts of the runs and pointers it reached,
    which PostgreSQL streams while the graph is assembled. The pointers a run read (upstream) or wrote
    (downstream) are mostly those its steps went through; a second statement fetches them only for the runs
    that have others (inputs no stored run wrote, say)."""
    if direction not in _IO_TABLES:
        raise InvalidInputError("direction must be 'upstream' or 'downstream'")
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise InvalidInputError(f"depth must be a positive integer, got {depth!r}")
    if run_id is not None and (isinstance(run_id, bool) or not isinstance(run_id, int)):
        raise InvalidInputError(f"run_id must be an integer, got {run_id!r}")
    if run_id is not None and not 0 < run_id <= MAX_RUN_ID:
        raise run_not_found(run_id)
    found: Any = _ROOT.execute(conn, {"name": output_id, "run": run_id}).first()
    if found is None:
        raise NotFoundError(f"Output '{output_id}' not found.")
    pointer_id, name, pointer_type, flag, writer = found
    root = (name, pointer_type, bool(flag))
    start = pointer_id if direction == "downstream" else writer if run_id is None else run_id
    if start is None:
        return empty_graph(root, direction)
    dialect = conn.dialect.name
    key = (direction, depth is not None)
    if dialect == "postgresql":
        graph = TraceAssembler(root, direction, depth, _copied_run)
        walk = _COPIED_WALKS[key].format(start=int(start), depth=int(depth or 0))
        copy_out(conn, walk, _copied_steps_into(graph), prefix=index_walks_prefix(dialect))
    else:
        graph = TraceAssembler(root, direction, depth, _sqlite_run)
        for via, reached, pointer, name, pointer_type, flag, distance, *run in conn.execute(
            _SQLITE_WALKS[key], {"start": start, "depth": depth}
        ):
            graph.add(via, reached, pointer, name, pointer_type, flag, distance, run)
    if not graph.has_runs and direction == "upstream":
        raise run_not_found(start)
    if direction == "upstream" and writer == start:
        graph.link_root(start)
    unseen = graph.runs_with_unseen_pointers()
    if unseen:
        graph.add_io(_IO_STATEMENTS[dialect, direction].execute(conn, {"ids": unseen}))
    return graph.build()


def _copied_steps_into(graph: TraceAssembler) -> Callable[[str], None]:
    """What adds each row of a walk that COPY sends to `graph`; the run's columns stay text for `_copied_run`."""
    add = graph.add

    def add_row(row: str) -> None:
        via, run_id, pointer_id, name, pointer_type, flag, depth, *run = row[:-1].split("\t")
        add(
            None if via == NULL else int(via),
            int(run_id),
            None if pointer_id == NULL else int(pointer_id),
            name if "\\" not in name else copy_text(name),  # NULL too has a backslash
            None if pointer_type == NULL else pointer_type,  # one of a few plain words
            flag == "t",
            int(depth),
            run,
        )

    return add_row


def _copied_run(run: Sequence[Any]) -> RunFacts:
    """The facts of a run reached by a walk, from COPY's text."""
    component, start, end, status, stale, pointer_count = run
    started, ended = parse_utc(start), parse_utc(end)  # in UTC whatever the session's zone
    return (
        component if "\\" not in component else copy_text(component) or "",
        started,
        ended,
        status,
        [] if stale == NULL else list(json.loads(copy_text(stale) or "[]")),
        int(pointer_count),
    )


def _sqlite_run(run: Sequence[Any]) -> RunFacts:
    """The facts of a run reached by a walk, from SQLite's row."""
    component, start, end, status, stale, pointer_count = run
    messages = [] if stale is None else list(json.loads(stale))
    return component, parse_utc(start), parse_utc(end), status, messages, pointer_count


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
    dialect = conn.dialect.name
    flagged = list(
        conn.execute(
            text("SELECT name FROM io_pointers WHERE flag = :flag ORDER BY flagged_at DESC, name"), {"flag": True}
        ).scalars()
    )
    if not flagged:
        return {"flagged": [], "runs": []}
    flagged_counts: dict[int, int] = {
        rid: n for rid, n in conn.execute(text(index_walks_prefix(dialect) + _FLAGGED_EVIDENCE), {"flag": True})
    }
    components = list(conn.execute(text(index_walks_prefix(dialect) + _FLAGGED_COMPONENTS), {"flag": True}).scalars())
    passing_counts: dict[int, int] = {}
    if flagged_counts and components:
        sql = text(index_walks_prefix(dialect) + _PASSING_EVIDENCE).bindparams(
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
