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
# last; `i` is a multiple when i = (i / stride) * stride: the driver would read `%` as a placeholder). The rows
# counted and numbered never leave the database, only the points kept do.
_KEPT = (
    "n <= :points OR i = n - 1 OR i = (i / ((n + :points - 2) / (:points - 1))) * ((n + :points - 2) / (:points - 1))"
)
# PostgreSQL numbers each run's points in a LATERAL subquery, read in the order of the key (run_id, key, step), so
# that the windows need no sort: numbered across runs, 50 runs of 1,000 points were sorted on disk (97 ms, 10 of
# them compiling the statement with JIT for the row count it guessed); this way it takes about 30 ms.
_STEPS = {
    "postgresql": f"""
SELECT ids.id, s.key, s.step, s.num, s.n FROM {id_rows("postgresql", "ids")} CROSS JOIN LATERAL (
    SELECT key, step, num, n FROM (
        SELECT key, step, num, ROW_NUMBER() OVER (PARTITION BY key ORDER BY step) - 1 AS i,
               COUNT(*) OVER (PARTITION BY key) AS n
        FROM run_metric_steps WHERE run_id = ids.id
    ) numbered
    WHERE {_KEPT}
) s
ORDER BY 1, 2, 3
""",
    "sqlite": f"""
SELECT run_id, key, step, num, n FROM (
    SELECT s.run_id, s.key, s.step, s.num,
           ROW_NUMBER() OVER (PARTITION BY s.run_id, s.key ORDER BY s.step) - 1 AS i,
           COUNT(*) OVER (PARTITION BY s.run_id, s.key) AS n
    FROM {id_rows("sqlite", "ids")} CROSS JOIN run_metric_steps s ON s.run_id = ids.id
) numbered
WHERE {_KEPT}
ORDER BY run_id, key, step
""",
}
# Compiling (JIT) cost more than the statement, for the row count guessed; a bitmap scan loses the key's order.
_IN_KEY_ORDER = "SET LOCAL jit = off; SET LOCAL enable_bitmapscan = off;\n"


def _steps_statement(dialect: str) -> Prepared:
    statement = text(_STEPS[dialect]).bindparams(bindparam("ids", type_=ValueList()))
    prefix = index_walks_prefix(dialect) + (_IN_KEY_ORDER if dialect == "postgresql" else "")
    return Prepared("compare_steps", statement, prefix=prefix)


_STEPS_BY_DIALECT = {dialect: _steps_statement(dialect) for dialect in _STEPS}


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
    rows: Sequence[Any] = _STEPS_BY_DIALECT[conn.dialect.name].rows(conn, params)
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
