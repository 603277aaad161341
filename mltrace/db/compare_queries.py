"""Runs side by side: the runs and their step series read in two statements, however many runs, then set out
row by row (a param, metric, fact or input per row, a value per run), the rows that differ first."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, text

from mltrace.db.membership import ValueList, id_rows
from mltrace.db.postgres import Prepared, index_walks_prefix
from mltrace.db.queries import load_runs
from mltrace.db.run_values import typed_value
from mltrace.entities import ComponentRun
from mltrace.entities.comparison import GROUPS, CompareRow, Comparison, RunSeries, StepMetric
from mltrace.errors import NotFoundError

# Each run's step series, sampled to at most `points` points for a chart: the first point, every `stride`-th, and
# the last, where stride = ceil(n / (points - 1)) for a series of n points (at most points - 1 multiples, plus the
# last; `i` is a multiple when i = (i / stride) * stride: the driver would read `%` as a placeholder). Rows are read
# by the key (run_id, key, step), each run's through the index (`_STEPS_OF`): the rows counted and numbered never
# leave the database, only the points kept do.
_STEPS = """
SELECT run_id, key, step, num, n FROM (
    SELECT s.run_id, s.key, s.step, s.num,
           ROW_NUMBER() OVER (PARTITION BY s.run_id, s.key ORDER BY s.step) - 1 AS i,
           COUNT(*) OVER (PARTITION BY s.run_id, s.key) AS n
    FROM {ids} {steps_of}
) numbered
WHERE n <= :points OR i = n - 1 OR i = (i / ((n + :points - 2) / (:points - 1))) * ((n + :points - 2) / (:points - 1))
ORDER BY run_id, key, step
"""
_STEPS_OF = {
    "postgresql": "CROSS JOIN LATERAL (SELECT * FROM run_metric_steps s WHERE s.run_id = ids.id OFFSET 0) s",
    "sqlite": "CROSS JOIN run_metric_steps s ON s.run_id = ids.id",
}


def _steps_statement(dialect: str) -> Prepared:
    sql = _STEPS.format(ids=id_rows(dialect, "ids"), steps_of=_STEPS_OF[dialect])
    statement = text(sql).bindparams(bindparam("ids", type_=ValueList()))
    return Prepared("compare_steps", statement, prefix=index_walks_prefix(dialect))


_STEPS_BY_DIALECT = {dialect: _steps_statement(dialect) for dialect in _STEPS_OF}


def compare(conn: Connection, run_ids: Sequence[int], points: int) -> Comparison:
    """The runs with these ids (distinct, in this order) side by side, their step series sampled to at most
    `points` points each; NotFoundError naming the ids no run has."""
    runs = load_runs(conn, run_ids)
    missing = sorted(set(run_ids) - {run.id for run in runs})
    if missing:
        noun = "Run" if len(missing) == 1 else "Runs"
        raise NotFoundError(f"{noun} {', '.join(map(str, missing))} not found.")
    return Comparison(runs, comparison_rows(runs), step_series(conn, run_ids, points))


def step_series(conn: Connection, run_ids: Sequence[int], points: int) -> list[StepMetric]:
    """The step series of these runs by key (keys sorted), each run's in the order of `run_ids`."""
    found: dict[str, dict[int, RunSeries]] = {}
    params = {"ids": list(run_ids), "points": points}
    rows: Sequence[Any] = _STEPS_BY_DIALECT[conn.dialect.name].execute(conn, params).all()
    for run_id, key, step, num, count in rows:
        series = found.setdefault(key, {}).get(run_id)
        if series is None:
            series = found[key][run_id] = RunSeries(run_id, [], [], int(count))
        series.steps.append(int(step))
        series.values.append(math.nan if num is None else float(num))
    return [
        StepMetric(key, [found[key][run_id] for run_id in run_ids if run_id in found[key]]) for key in sorted(found)
    ]


def comparison_rows(runs: Sequence[ComponentRun]) -> list[CompareRow]:
    """A row per param, metric, run fact and input of these runs, a value per run (None where a run has none);
    the rows that differ first, then by group (`GROUPS`) and key. Values are equal when `typed_value` types them
    the same (1 and 1.0 are equal, True and 1 are not, NaN equals NaN)."""
    rows = [
        *_value_rows("params", [run.params for run in runs]),
        *_value_rows("metrics", [run.metrics for run in runs]),
        *_fact_rows(runs),
        *_input_rows(runs),
    ]
    return sorted(rows, key=lambda row: (not row.differs, GROUPS.index(row.group), row.key))


def _value_rows(group: str, values: list[dict[str, Any]]) -> list[CompareRow]:
    keys = sorted({key for run_values in values for key in run_values})
    rows = []
    for key in keys:
        row = [run_values.get(key) for run_values in values]
        typed = {None if key not in run_values else typed_value(run_values[key]) for run_values in values}
        rows.append(CompareRow(group, key, row, len(typed) > 1))
    return rows


def _fact_rows(runs: Sequence[ComponentRun]) -> list[CompareRow]:
    facts: dict[str, list[Any]] = {
        "component": [run.component_name for run in runs],
        "status": [run.status for run in runs],
        "code_hash": [run.code_hash for run in runs],
        "git_commit": [run.git_hash for run in runs],
        "duration_ms": [run.duration_ms for run in runs],
    }
    return [CompareRow("run", key, values, len(set(values)) > 1) for key, values in facts.items()]


def _input_rows(runs: Sequence[ComponentRun]) -> list[CompareRow]:
    versions: list[dict[str, Any]] = [
        {pointer.name: pointer.value_hash or True for pointer in run.inputs} for run in runs
    ]
    names = sorted({name for read in versions for name in read})
    rows = []
    for name in names:
        values = [read.get(name) for read in versions]
        rows.append(CompareRow("inputs", name, values, len(set(values)) > 1))
    return rows
