"""What runs recorded about themselves (params, metrics, test results), for review's evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Integer, String, bindparam, text

from mltrace.db.membership import ValueList, id_rows
from mltrace.db.postgres import Prepared, index_walks_prefix
from mltrace.lineage.evidence import RECENT_RUNS, RunRecords

_COLUMNS = "r.id, r.component_name, r.params, r.metrics, r.test_results"
_TYPES = {"id": Integer, "component_name": String, "params": JSON, "metrics": JSON, "test_results": JSON}

# The runs with these ids, each looked up by key.
_BY_ID = "SELECT {columns} FROM {ids} CROSS JOIN component_runs r WHERE r.id = ids.id"
# The latest `limit` runs of each named component, read backwards from the end of the (component, start, id)
# index: at most `limit` rows per component, however long its history (on SQLite `r.id IN (…)` is looked up
# by key, the subquery run once per name).
_RECENT = {
    "postgresql": """
SELECT {columns} FROM unnest(CAST(:names AS TEXT[])) AS names(name) CROSS JOIN LATERAL (
    SELECT * FROM component_runs r WHERE r.component_name = names.name
    ORDER BY r.start_ts DESC, r.id DESC LIMIT :limit
) r""",
    "sqlite": """
SELECT {columns} FROM json_each(:names) AS names CROSS JOIN component_runs r
WHERE r.id IN (SELECT recent.id FROM component_runs recent WHERE recent.component_name = names.value
               ORDER BY recent.start_ts DESC, recent.id DESC LIMIT :limit)""",
}


def _prepared(name: str, sql: str, dialect: str, values: str) -> Prepared:
    statement = (
        text(sql.format(columns=_COLUMNS, ids=id_rows(dialect, "ids")))
        .bindparams(bindparam(values, type_=ValueList()))
        .columns(**_TYPES)
    )
    return Prepared(name, statement, prefix=index_walks_prefix(dialect))


_BY_ID_STATEMENTS = {d: _prepared("run_records", _BY_ID, d, "ids") for d in _RECENT}
_RECENT_STATEMENTS = {d: _prepared("recent_run_records", sql, d, "names") for d, sql in _RECENT.items()}


def run_records(conn: Connection, run_ids: Sequence[int]) -> list[RunRecords]:
    """The records of the runs with these ids (in no particular order), in one statement."""
    if not run_ids:
        return []
    return _records(_BY_ID_STATEMENTS[conn.dialect.name].rows(conn, {"ids": list(run_ids)}))


def recent_run_records(conn: Connection, components: Sequence[str], limit: int = RECENT_RUNS) -> list[RunRecords]:
    """The records of each component's `limit` latest runs, in one statement."""
    if not components:
        return []
    return _records(_RECENT_STATEMENTS[conn.dialect.name].rows(conn, {"names": list(components), "limit": limit}))


def _records(rows: Iterable[Any]) -> list[RunRecords]:
    return [
        RunRecords(run_id, component, params or {}, metrics or {}, test_results or [])
        for run_id, component, params, metrics, test_results in rows
    ]
