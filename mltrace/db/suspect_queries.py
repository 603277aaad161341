"""Suspect marks in SQL: one bounded walk upstream from the runs being shown to the flags and failed tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, text

from mltrace.db.membership import ValueList, id_rows
from mltrace.db.postgres import Prepared, index_walks_prefix
from mltrace.entities.suspect import RunSuspicion, SuspectMark, failed_test_mark, flagged_output_mark

MAX_HOPS = 50
"""How many runs upstream the walk looks for a flag or a failed test (a bound on its cost, not a rule)."""

# Up: the runs shown and those upstream of them (`reached`), at most MAX_HOPS dependencies away. Rows: the sources
# among them (`_SOURCES`), and the dependencies of the reached runs ('step': reader, upstream run), which `marks_from`
# follows down from each source (in Python: a walk down in SQL re-scans the reached runs at every level, 60 ms for a
# 1,000-run chain).
_UP = """
WITH RECURSIVE up(run_id, hops) AS (
    SELECT shown.id, 0 FROM {shown}
    UNION
    SELECT d.upstream_id, up.hops + 1
    FROM up JOIN run_dependencies d ON d.run_id = up.run_id WHERE up.hops < :max_hops
),
reached(run_id) AS (SELECT DISTINCT run_id FROM up),"""
_WALK = """{up}
steps(run_id, upstream_id) AS (
    SELECT d.run_id, d.upstream_id FROM reached JOIN run_dependencies d ON d.run_id = reached.run_id
)
{sources}
UNION ALL
SELECT 'step', CAST(upstream_id AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), run_id FROM steps
"""
# Where marks come from, among the runs of a CTE `reached(run_id)`: rows (kind, key, detail, test, run_id), a
# flagged output one of them read ('output': its name, flag reason, the reader) and a run with a failed test
# ('run': its id, component, first failed test's name, its id).
_SOURCES = """
SELECT 'output' AS kind, p.name AS key, p.flag_reason AS detail, CAST(NULL AS TEXT) AS test, i.run_id AS run_id
FROM reached JOIN run_inputs i ON i.run_id = reached.run_id JOIN io_pointers p ON p.id = i.pointer_id
WHERE p.flag
UNION ALL
SELECT 'run', CAST(failed.id AS TEXT), failed.component_name, failed.name, failed.id FROM ({failed}) failed"""
# Runs with a failed test, and its name; only those in the walk are looked at.
_FAILED = {
    "postgresql": """
SELECT r2.id, r2.component_name, MIN(t.value ->> 'name') AS name
FROM component_runs r2 CROSS JOIN LATERAL json_array_elements(
    CASE WHEN json_typeof(r2.test_results) = 'array' THEN r2.test_results ELSE '[]' END
) t
WHERE r2.id IN (SELECT run_id FROM reached) AND t.value ->> 'passed' = 'false'
GROUP BY r2.id, r2.component_name""",
    "sqlite": """
SELECT r2.id, r2.component_name, MIN(json_extract(t.value, '$.name')) AS name
FROM component_runs r2, json_each(r2.test_results) t
WHERE r2.id IN (SELECT run_id FROM reached) AND json_type(t.value, '$.passed') = 'false'
GROUP BY r2.id, r2.component_name""",
}


def sources_sql(dialect: str) -> str:
    """The rows that give marks (`_SOURCES`: flagged outputs read and failed tests) among the runs of a CTE
    `reached(run_id)` that the statement around it defines."""
    return _SOURCES.format(failed=_FAILED[dialect])


def _statement(dialect: str) -> Prepared:
    sql = _WALK.format(up=_UP.format(shown=id_rows(dialect, "shown")), sources=sources_sql(dialect))
    statement = text(sql).bindparams(bindparam("shown", type_=ValueList()))
    return Prepared("suspect_marks", statement, prefix=index_walks_prefix(dialect))


_STATEMENTS = {dialect: _statement(dialect) for dialect in _FAILED}


def suspicions(conn: Connection, run_ids: Iterable[int]) -> dict[int, RunSuspicion]:
    """The suspect marks of each of `run_ids` and of the outputs it wrote, in one statement; runs that are not
    suspect (or not stored) are left out. A run is suspect when it or a run upstream of it read a flagged output,
    or a run upstream of it has a failed test; its outputs also when it has one itself. The walk up stops
    MAX_HOPS dependencies away (a whole upstream trace finds its marks in its own statement, `sources_sql`)."""
    shown = sorted({int(i) for i in run_ids})
    if not shown:
        return {}
    rows: Sequence[Any] = _STATEMENTS[conn.dialect.name].rows(conn, {"shown": shown, "max_hops": MAX_HOPS})
    readers: dict[int, list[int]] = {}
    sources: list[Sequence[Any]] = []
    for row in rows:
        if row[0] == "step":
            readers.setdefault(int(row[1]), []).append(int(row[4]))
        else:
            sources.append(row)
    return marks_from(sources, readers, shown)


def marks_from(
    sources: Iterable[Sequence[Any]], readers: Mapping[int, Sequence[int]], shown: Iterable[int]
) -> dict[int, RunSuspicion]:
    """The marks of the runs `shown` (and of the outputs they wrote), from the rows of `sources_sql` and the
    readers of each run (`readers[upstream] = runs that depend on it`), which carry each mark down."""
    ordered: list[tuple[SuspectMark, int, bool]] = []  # (mark, the run it enters by, whether that run is spared)
    for kind, key, detail, test, run_id in sorted(sources, key=lambda row: (row[0] != "output", _order(*row[:2]))):
        if kind == "output":
            ordered.append((flagged_output_mark(key, detail), int(run_id), False))
        else:
            ordered.append((failed_test_mark(int(key), detail, test), int(run_id), True))
    wanted = set(shown)
    found: dict[int, tuple[list[SuspectMark], list[SuspectMark]]] = {}
    for mark, entry, spared in ordered:
        seen, queue = {entry}, [entry]
        while queue:
            run_id = queue.pop()
            if run_id in wanted:
                run_marks, output_marks = found.setdefault(run_id, ([], []))
                if mark not in output_marks:
                    output_marks.append(mark)
                if not (spared and run_id == entry) and mark not in run_marks:
                    run_marks.append(mark)  # a run's own failed test marks what it wrote, not the run
            for reader in readers.get(run_id, ()):
                if reader not in seen:
                    seen.add(reader)
                    queue.append(reader)
    return {run_id: RunSuspicion(tuple(run), tuple(outputs)) for run_id, (run, outputs) in sorted(found.items())}


def _order(kind: str, key: str) -> tuple[int, str]:
    """Flagged outputs by name, runs by id."""
    return (int(key), "") if kind != "output" else (0, key)
