"""Lineage queries done by the database: recursive SQL for traces and for review's evidence."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

from mltrace.db.membership import ValueList, id_rows
from mltrace.db.models import pointers
from mltrace.db.postgres import Prepared, index_walks_prefix
from mltrace.db.queries import FLAGGED, preview_runs
from mltrace.db.run_records import recent_run_records, run_records
from mltrace.db.suspect_queries import marks_from, sources_sql, suspicions
from mltrace.entities.component_run import MAX_RUN_ID
from mltrace.entities.times import parse_utc, utc
from mltrace.errors import InvalidInputError, NotFoundError, run_not_found
from mltrace.lineage.evidence import Evidence, RunRecords, evidence_of
from mltrace.lineage.review import Suspect, rank_suspects
from mltrace.lineage.trace_graph import RunFacts, TraceAssembler, mark_suspects

# A trace is one statement. `root` is the pointer asked for and the run whose output it is (its latest writer, or
# `{run}` if that run wrote it). A walk's rows are (via, run_id, pointer_id, depth): `run_id` reached from the run
# `via` (NULL where the walk starts) through a dependency on a pointer (NULL for an explicit link). Upstream the
# walk starts at `{run}` or else the root's writer, downstream at the runs that read the root. UNION stops the walk
# at steps already taken. With a depth limit the walk also takes the step out of the last level, whose
# dependencies may lead back to runs inside the limit. `{name}`, `{run}` and `{depth}` become bind parameters.
_ROOT = """
root(id, name, pointer_type, flag, writer) AS (
    SELECT p.id, p.name, p.pointer_type, p.flag,
           (SELECT o.run_id FROM run_outputs o
            WHERE o.pointer_id = p.id AND (CAST({run} AS INTEGER) IS NULL OR o.run_id = {run})
            ORDER BY o.end_ts DESC, o.run_id DESC LIMIT 1)
    FROM io_pointers p WHERE p.name = {name}
)"""
_WALKS = {
    ("upstream", False): """
walk(via, run_id, pointer_id) AS (
    SELECT CAST(NULL AS INTEGER), COALESCE(CAST({run} AS INTEGER), root.writer), CAST(NULL AS INTEGER) FROM root
    UNION
    SELECT d.run_id, d.upstream_id, d.pointer_id FROM walk JOIN run_dependencies d ON d.run_id = walk.run_id
)""",
    ("upstream", True): """
walk(via, run_id, pointer_id, depth) AS (
    SELECT CAST(NULL AS INTEGER), COALESCE(CAST({run} AS INTEGER), root.writer), CAST(NULL AS INTEGER), 1 FROM root
    UNION
    SELECT d.run_id, d.upstream_id, d.pointer_id, walk.depth + 1
    FROM walk JOIN run_dependencies d ON d.run_id = walk.run_id WHERE walk.depth <= {depth}
)""",
    ("downstream", False): """
walk(via, run_id, pointer_id) AS (
    SELECT CAST(NULL AS INTEGER), i.run_id, i.pointer_id FROM root JOIN run_inputs i ON i.pointer_id = root.id
    UNION
    SELECT d.upstream_id, d.run_id, d.pointer_id FROM walk JOIN run_dependencies d ON d.upstream_id = walk.run_id
)""",
    ("downstream", True): """
walk(via, run_id, pointer_id, depth) AS (
    SELECT CAST(NULL AS INTEGER), i.run_id, i.pointer_id, 1 FROM root JOIN run_inputs i ON i.pointer_id = root.id
    UNION
    SELECT d.upstream_id, d.run_id, d.pointer_id, walk.depth + 1
    FROM walk JOIN run_dependencies d ON d.upstream_id = walk.run_id WHERE walk.depth <= {depth}
)""",
}
# The statement's rows, each tagged by its first column:
# - 'root': (NULL, writer, pointer id, name, type, flag), the rest NULL;
# - 'step': a step of the walk, (via, run id, pointer id, name, type, flag, depth, …the run's columns) with the
#   facts of its pointer and of the run it reached, including how many pointers that run read (upstream) or wrote
#   (downstream): when the steps show them all, the run's pointers need no lookup. Times and staleness are read
#   as text (no staleness as NULL);
# - 'source', in a whole upstream trace only, which reaches every run the marks can come from: where a suspect
#   mark comes from (`sources_sql`), (NULL, run id, NULL, key, kind, NULL, 0, detail, test), the rest NULL.
_ROWS = """
SELECT 'root', CAST(NULL AS INTEGER), root.writer, root.id, root.name, root.pointer_type, root.flag, 0,
       CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),
       CAST(NULL AS INTEGER)
FROM root
UNION ALL
SELECT 'step', walk.via, walk.run_id, walk.pointer_id, p.name, p.pointer_type, p.flag, {depth}, r.component_name,
       {start_ts}, {end_ts}, r.status, NULLIF(CAST(r.stale AS TEXT), '[]'), r.{io_count}
FROM walk JOIN component_runs r ON r.id = walk.run_id LEFT JOIN io_pointers p ON p.id = walk.pointer_id"""
_SOURCES = """
UNION ALL
SELECT 'source', CAST(NULL AS INTEGER), s.run_id, CAST(NULL AS INTEGER), s.key, s.kind, CAST(NULL AS BOOLEAN), 0,
       s.detail, s.test, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS INTEGER)
FROM ({sources}) s"""
_REACHED = ",\nreached(run_id) AS (SELECT DISTINCT run_id FROM walk)"
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


def _trace_sql(dialect: str, direction: str, limited: bool) -> str:
    """The statement of a trace, its values left as `{name}`, `{run}` and `{depth}`."""
    time_text = _TIME_TEXT[dialect]
    whole = direction == "upstream" and not limited
    rows = _ROWS.format(
        depth="walk.depth" if limited else "0",
        start_ts=time_text.format(column="r.start_ts"),
        end_ts=time_text.format(column="r.end_ts"),
        io_count=_IO_COUNTS[direction],
    )
    ctes = f"WITH RECURSIVE{_ROOT},{_WALKS[direction, limited]}"
    if whole:
        ctes, rows = ctes + _REACHED, rows + _SOURCES.format(sources=sources_sql(dialect))
    return ctes + rows  # `rows` holds no braces: `{name}`, `{run}` and `{depth}` are the only fields left


def _io_statement(dialect: str, direction: str) -> Prepared:
    sql = _IO.format(ids=id_rows(dialect, "ids"), table=_IO_TABLES[direction])
    statement = text(sql).bindparams(bindparam("ids", type_=ValueList()))
    return Prepared(f"trace_{direction}_pointers", statement, prefix=index_walks_prefix(dialect))


_TRACES = {
    (dialect, key): Prepared(
        f"trace_{key[0]}{'_limited' if key[1] else ''}",
        text(_trace_sql(dialect, *key).format(name=":name", run=":run", depth=":depth")),
        prefix=index_walks_prefix(dialect),
    )
    for dialect in _TIME_TEXT
    for key in _WALKS
}
_IO_STATEMENTS = {(dialect, d): _io_statement(dialect, d) for dialect in _TIME_TEXT for d in _IO_TABLES}


def trace(
    conn: Connection, output_id: str, direction: str = "upstream", depth: int | None = None, run_id: int | None = None
) -> dict[str, Any]:
    """The lineage graph of `output_id` (SPEC §9): upstream from its latest writer (or `run_id`),
    or downstream through every run that read it and all that came after.

    One statement finds the pointer and walks from it, with the facts of the runs and pointers it reached, and in
    a whole upstream trace where its suspect marks come from. The pointers a run read (upstream) or wrote
    (downstream) are mostly those its steps went through; a second statement fetches them only for the runs that
    have others (inputs no stored run wrote, say). A partial trace looks its marks up in a statement of their own."""
    if direction not in _IO_TABLES:
        raise InvalidInputError("direction must be 'upstream' or 'downstream'")
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise InvalidInputError(f"depth must be a positive integer, got {depth!r}")
    if run_id is not None and (isinstance(run_id, bool) or not isinstance(run_id, int)):
        raise InvalidInputError(f"run_id must be an integer, got {run_id!r}")
    if run_id is not None and not 0 < run_id <= MAX_RUN_ID:
        raise run_not_found(run_id)
    if "\x00" in output_id:  # no stored name holds NUL, and PostgreSQL cannot be asked for one
        raise NotFoundError(f"Output '{output_id}' not found.")
    dialect = conn.dialect.name
    whole = direction == "upstream" and depth is None  # the walk reaches every run a mark can come from
    rows = _TraceRows(TraceAssembler(output_id, direction, depth, _read_run), keep_readers=whole)
    statement = _TRACES[dialect, (direction, depth is not None)]
    for row in statement.rows(conn, {"name": output_id, "run": run_id, "depth": depth}):
        rows.row(*row)
    if rows.root is None:
        raise NotFoundError(f"Output '{output_id}' not found.")
    graph = rows.graph
    pointer_id, writer = rows.root
    start = pointer_id if direction == "downstream" else writer if run_id is None else run_id
    if start is None:
        graph_of_nothing = graph.build()
        mark_suspects(graph_of_nothing, {}, None)
        return graph_of_nothing
    if not graph.has_runs and direction == "upstream":
        raise run_not_found(start)
    if direction == "upstream" and writer == start:
        graph.link_root(start)
    unseen = graph.runs_with_unseen_pointers()
    if unseen:
        graph.add_io(_IO_STATEMENTS[dialect, direction].rows(conn, {"ids": unseen}))
    built = graph.build()
    root_writer = start if direction == "upstream" else writer  # what made the root, in the graph or not
    shown = _run_ids(built) | ({root_writer} if root_writer is not None else set())
    marks = marks_from(rows.sources, rows.readers, shown) if whole else suspicions(conn, shown)
    mark_suspects(built, marks, root_writer)
    return built


def _run_ids(graph: dict[str, Any]) -> set[int]:
    return {node["run_id"] for node in graph["nodes"] if node["kind"] == "run"}


class _TraceRows:
    """Takes the rows of a trace's statement as they come (`_ROWS`): the steps into the graph, the rest kept."""

    def __init__(self, graph: TraceAssembler, keep_readers: bool) -> None:
        """`keep_readers`: collect `readers` (a whole upstream trace carries its marks down its own steps)."""
        self.graph = graph
        self._keep_readers = keep_readers
        self.root: tuple[int, int | None] | None = None  # (pointer id, writer) once the root's row is in
        self.sources: list[tuple[str, str, str | None, str | None, int]] = []  # (kind, key, detail, test, run id)
        self.readers: dict[int, list[int]] = {}  # run id → the runs of the walk that read what it wrote

    def row(
        self, tag: str, via: Any, run_id: Any, pointer_id: Any, name: Any, kind: Any, flag: Any, *rest: Any
    ) -> None:
        """Adds a row as the database gave it."""
        if tag == "step":
            if via is not None and self._keep_readers:  # upstream, `via` read what the run wrote
                self.readers.setdefault(run_id, []).append(via)
            self.graph.add(via, run_id, pointer_id, name, kind, flag, rest[0], rest[1:])
        elif tag == "root":
            self.root = (pointer_id, run_id)
            self.graph.describe_root(kind, bool(flag))
        else:
            self.sources.append((kind, name, rest[1], rest[2], run_id))


def _read_run(run: Sequence[Any]) -> RunFacts:
    """The facts of a run reached by a walk, from its row."""
    component, start, end, status, stale, pointer_count = run
    messages = [] if stale is None else list(json.loads(stale))
    return component, parse_utc(start), parse_utc(end), status, messages, pointer_count


# Review's evidence, in one statement: for each run upstream of a flagged output, how many flagged outputs it is
# upstream of (the walk from the latest writer of each), how many outputs of the components that wrote flagged
# ones, not flagged themselves, are downstream of it, and when it started. Everything is reached from the flagged
# pointers (their partial index) through indexes: the large tables appear only as the inner side of lookups by
# key (`{writers}`, `{outputs}`: a LATERAL subquery that PostgreSQL cannot turn into a join, a CROSS JOIN whose
# order SQLite keeps) or of the walks' steps, so the plan does not depend on statistics.
_REVIEW_EVIDENCE = """
WITH RECURSIVE
flagged AS {materialized} (SELECT id FROM io_pointers WHERE {is_flagged}),
origin(pointer_id, run_id) AS {materialized} (
    SELECT f.id, (SELECT o.run_id FROM run_outputs o WHERE o.pointer_id = f.id
                  ORDER BY o.end_ts DESC, o.run_id DESC LIMIT 1)
    FROM flagged f
),
up(pointer_id, run_id) AS (
    SELECT pointer_id, run_id FROM origin WHERE run_id IS NOT NULL
    UNION
    SELECT up.pointer_id, d.upstream_id FROM up JOIN run_dependencies d ON d.run_id = up.run_id
),
suspects(run_id, flagged) AS {materialized} (SELECT run_id, COUNT(*) FROM up GROUP BY run_id),
culprits(component) AS {materialized} (
    SELECT DISTINCT (SELECT r.component_name FROM component_runs r WHERE r.id = w.run_id) FROM flagged f {writers}
),
down(suspect, run_id) AS (
    SELECT run_id, run_id FROM suspects
    UNION
    SELECT down.suspect, d.run_id FROM down JOIN run_dependencies d ON d.upstream_id = down.run_id
),
evidence(suspect, run_id) AS {materialized} (
    SELECT suspect, run_id FROM down
    WHERE (SELECT r.component_name FROM component_runs r WHERE r.id = down.run_id) IN (SELECT component FROM culprits)
),
passing(suspect, passing) AS (
    SELECT e.suspect, COUNT(DISTINCT o.pointer_id) FROM evidence e {outputs}
    WHERE o.pointer_id NOT IN (SELECT id FROM flagged)
    GROUP BY e.suspect
)
SELECT s.run_id, s.flagged, COALESCE(p.passing, 0), (SELECT r.start_ts FROM component_runs r WHERE r.id = s.run_id)
FROM suspects s LEFT JOIN passing p ON p.suspect = s.run_id
"""
_REVIEW_JOINS = {
    "postgresql": {
        "is_flagged": "flag",  # the condition of the partial index of flagged pointers, as it is written there
        "materialized": "MATERIALIZED",
        "writers": "CROSS JOIN LATERAL (SELECT o.run_id FROM run_outputs o WHERE o.pointer_id = f.id OFFSET 0) w",
        "outputs": "CROSS JOIN LATERAL (SELECT o.pointer_id FROM run_outputs o WHERE o.run_id = e.run_id OFFSET 0) o",
    },
    "sqlite": {  # SQLite keeps the left side of a CROSS JOIN outside: each of its rows is looked up by key
        "is_flagged": "flag = 1",
        "materialized": "",
        "writers": "CROSS JOIN run_outputs w ON w.pointer_id = f.id",
        "outputs": "CROSS JOIN run_outputs o ON o.run_id = e.run_id",
    },
}
_REVIEW_STATEMENTS = {
    dialect: Prepared("review_evidence", text(_REVIEW_EVIDENCE.format(**joins)), prefix=index_walks_prefix(dialect))
    for dialect, joins in _REVIEW_JOINS.items()
}
_FLAGGED_NAMES = Prepared("flagged_names", FLAGGED.with_only_columns(pointers.c.name))


def review(conn: Connection, limit: int = 20, offset: int = 0) -> dict[str, Any]:
    """Flagged outputs and the runs behind them, most suspicious first (SPEC §5), each run previewed as listings
    show it: `{"flagged": [names], "runs": [(run, count, coverage, score, evidence)]}`; the `limit` runs after the
    `offset` most suspicious.

    Five statements: the flagged names, the lineage evidence of every suspect (with its start, which breaks ties),
    what every suspect recorded, what the latest runs of their components recorded (for what is usual), and the
    previews of the `limit` runs shown."""
    flagged = [name for (name,) in _FLAGGED_NAMES.rows(conn)]
    if not flagged:
        return {"flagged": [], "runs": []}
    flagged_counts: dict[int, int] = {}
    passing_counts: dict[int, int] = {}
    starts: dict[int, datetime] = {}
    found: Sequence[Any] = _REVIEW_STATEMENTS[conn.dialect.name].rows(conn)
    for run_id, flagged_count, passing, start in found:
        flagged_counts[run_id], passing_counts[run_id] = flagged_count, passing
        starts[run_id] = utc(start) if isinstance(start, datetime) else parse_utc(start)
    evidence = _recorded_evidence(conn, list(flagged_counts))
    ranked = rank_suspects(flagged_counts, passing_counts, starts, len(flagged), evidence)
    suspects: list[Suspect] = ranked[offset : offset + limit]
    runs = {run.id: run for run in preview_runs(conn, [s.run_id for s in suspects])}
    return {
        "flagged": flagged,
        "runs": [(runs[s.run_id], s.count, s.coverage, s.score, list(s.evidence)) for s in suspects],
    }


def _recorded_evidence(conn: Connection, run_ids: list[int]) -> dict[int, list[Evidence]]:
    """The evidence each run records against itself, judged against its component's latest runs."""
    suspects = run_records(conn, run_ids)
    recent: dict[str, list[RunRecords]] = {}
    for record in recent_run_records(conn, sorted({s.component for s in suspects})):
        recent.setdefault(record.component, []).append(record)
    found = {s.run_id: evidence_of(s, recent.get(s.component, [])) for s in suspects}
    return {run_id: pieces for run_id, pieces in found.items() if pieces}
