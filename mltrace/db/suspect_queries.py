"""Suspect marks in SQL: one bounded walk upstream from the runs being shown to the flags and failed tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, text

from mltrace.db.membership import ValueList, id_rows
from mltrace.db.postgres import Prepared, index_walks_prefix
from mltrace.entities.suspect import RunSuspicion, SuspectMark, failed_test_mark, flagged_output_mark

MAX_HOPS = 50
"""How many runs upstream the walk looks for a flag or a failed test (a bound on its cost, not a rule)."""

# Up: the runs shown and those upstream of them, at most MAX_HOPS dependencies away (`reached`). Among them, the
# sources: a flagged output one of them read (the reader is suspect) and a run with a failed test (its first failed
# test's name; `own` = 1: its readers are suspect, not itself). Down: from each source through the dependencies,
# staying among the reached runs, so the walk down is no larger than the walk up. Rows: (run id, kind, key,
# detail, test, own) for each run shown that a source reaches.
_WALK = """
WITH RECURSIVE up(run_id, hops) AS (
    SELECT shown.id, 0 FROM {shown}
    UNION
    SELECT d.upstream_id, up.hops + 1
    FROM up JOIN run_dependencies d ON d.run_id = up.run_id WHERE up.hops < :max_hops
),
reached(run_id) AS (SELECT DISTINCT run_id FROM up),
sources(kind, key, detail, test, run_id, own) AS (
    SELECT 'output', p.name, p.flag_reason, CAST(NULL AS TEXT), i.run_id, 0
    FROM reached JOIN run_inputs i ON i.run_id = reached.run_id JOIN io_pointers p ON p.id = i.pointer_id
    WHERE p.flag
    UNION ALL
    SELECT 'run', CAST(failed.id AS TEXT), failed.component_name, failed.name, failed.id, 1 FROM ({failed}) failed
),
down(kind, key, detail, test, run_id, own) AS (
    SELECT kind, key, detail, test, run_id, own FROM sources
    UNION
    SELECT down.kind, down.key, down.detail, down.test, d.run_id, 0
    FROM down JOIN run_dependencies d ON d.upstream_id = down.run_id
    WHERE d.run_id IN (SELECT run_id FROM reached)
)
SELECT down.run_id, down.kind, down.key, down.detail, down.test, down.own
FROM down WHERE down.run_id IN (SELECT shown.id FROM {shown})
"""
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


def _statement(dialect: str) -> Prepared:
    sql = _WALK.format(shown=id_rows(dialect, "shown"), failed=_FAILED[dialect])
    statement = text(sql).bindparams(bindparam("shown", type_=ValueList()))
    return Prepared("suspect_marks", statement, prefix=index_walks_prefix(dialect))


_STATEMENTS = {dialect: _statement(dialect) for dialect in _FAILED}


def suspicions(conn: Connection, run_ids: Iterable[int]) -> dict[int, RunSuspicion]:
    """The suspect marks of each of `run_ids` and of the outputs it wrote, in one statement; runs that are not
    suspect (or not stored) are left out. A run is suspect when it or a run upstream of it read a flagged output,
    or a run upstream of it has a failed test; its outputs also when it has one itself."""
    shown = sorted({int(i) for i in run_ids})
    if not shown:
        return {}
    rows: Sequence[Any] = _STATEMENTS[conn.dialect.name].execute(conn, {"shown": shown, "max_hops": MAX_HOPS}).all()
    found: dict[int, tuple[list[SuspectMark], list[SuspectMark]]] = {}
    for run_id, kind, key, detail, test, own in sorted(
        rows, key=lambda r: (r[0], r[1] != "output", _order(r[1], r[2]))
    ):
        run_marks, output_marks = found.setdefault(int(run_id), ([], []))
        mark = flagged_output_mark(key, detail) if kind == "output" else failed_test_mark(int(key), detail, test)
        if mark not in output_marks:
            output_marks.append(mark)
        if not own and mark not in run_marks:  # a run's own failed test marks what it wrote, not the run
            run_marks.append(mark)
    return {run_id: RunSuspicion(tuple(run), tuple(outputs)) for run_id, (run, outputs) in found.items()}


def _order(kind: str, key: str) -> tuple[int, str]:
    """Flagged outputs by name, runs by id."""
    return (int(key), "") if kind == "run" else (0, key)
