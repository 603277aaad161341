"""Params and metrics after a run is stored: late values (`set_params`/`set_metrics`) and reading step series."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update

from mltrace.db import audit
from mltrace.db.bulk import bulk_insert
from mltrace.db.membership import looked_up_in
from mltrace.db.models import run_metric_steps, run_metrics, run_params, runs
from mltrace.db.queries import get_run, stored_run_ids
from mltrace.db.run_values import VALUE_COLUMNS, value_rows
from mltrace.entities import ComponentRun
from mltrace.entities.json_values import strict_json
from mltrace.entities.series import Series, SeriesPoint
from mltrace.errors import run_not_found


def set_values(conn: Connection, run_id: int, params: dict[str, Any], metrics: dict[str, Any]) -> ComponentRun:
    """Adds or replaces params and metrics of a stored run, in the caller's transaction: the run's JSON columns
    and the typed rows together, and a `values` record in the audit trail (each key's value before, where it had
    one, and after). NotFoundError when the run is unknown; the values were checked by the caller
    (`entities.values.late_value_problems`)."""
    columns = [runs.c.params, runs.c.metrics]
    stored = conn.execute(select(*columns).where(runs.c.id == run_id).with_for_update()).first()
    if stored is None:
        raise run_not_found(run_id)
    changes: dict[str, dict[str, Any]] = {}
    before: dict[str, dict[str, Any]] = {}
    after: dict[str, dict[str, Any]] = {}
    pairs: tuple[tuple[Table, dict[str, Any], Any], ...] = (
        (run_params, params, stored[0]),
        (run_metrics, metrics, stored[1]),
    )
    for (table, values, current), column in zip(pairs, columns, strict=True):
        if not values:
            continue
        new, current = strict_json(values), current or {}
        changes[column.name] = {**current, **new}
        before[column.name] = {key: current[key] for key in new if key in current}
        after[column.name] = new
        conn.execute(delete(table).where(table.c.run_id == run_id, table.c.key.in_(list(values))))
        bulk_insert(conn, table, VALUE_COLUMNS, value_rows(run_id, values))
    if changes:
        conn.execute(update(runs).where(runs.c.id == run_id).values(changes))
        audit.record(conn, "values", "run", str(run_id), before, after)
    return get_run(conn, run_id)


def series(conn: Connection, run_ids: Sequence[int], keys: Sequence[str] | None = None) -> dict[int, Series]:
    """The step series of the stored runs among `run_ids` (every key, or those of `keys`), each ordered by step;
    a stored run without series maps to `{}`, an unknown one is left out."""
    found: dict[int, Series] = {run_id: {} for run_id in sorted(stored_run_ids(conn, list(run_ids)))}
    if not found:
        return found
    steps = run_metric_steps.c
    query = select(steps.run_id, steps.key, steps.step, steps.num, steps.ts).where(looked_up_in(steps.run_id, "ids"))
    if keys is not None:
        query = query.where(steps.key.in_(list(keys)))
    nan = math.nan
    for run_id, key, step, num, ts in conn.execute(
        query.order_by(steps.run_id, steps.key, steps.step), {"ids": list(found)}
    ):
        found[run_id].setdefault(key, []).append(SeriesPoint(step, nan if num is None else num, ts))
    return found


def run_series(conn: Connection, run_id: int, keys: Sequence[str] | None = None) -> Series:
    """The step series of one run; NotFoundError when the run is unknown."""
    found = series(conn, [run_id], keys)
    if run_id not in found:
        raise run_not_found(run_id)
    return found[run_id]
