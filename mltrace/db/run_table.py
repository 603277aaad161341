"""Runs as rows of a table (one per run: its attributes, its component's tags, then its params and metrics), read in
chunks from a server-side cursor, for `to_df` and the exports: memory follows the chunk, not the number of runs.

The runs come from one statement; each chunk's params and metrics from one statement per value table, by run id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select

from mltrace.db.membership import looked_up_in
from mltrace.db.models import component_tags, run_metrics, run_params, runs
from mltrace.db.postgres import prefer_index_walks
from mltrace.db.run_filters import Selection, ordered_selection
from mltrace.db.run_values import python_value

CHUNK = 2_000  # runs per fetch


@dataclass
class RunRow:
    """One run as a table row."""

    run_id: int
    component: str
    status: str
    started: datetime
    ended: datetime
    git_commit: str | None
    code_hash: str | None
    tags: list[str]
    inputs_count: int
    outputs_count: int
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # "params.<key>" / "metrics.<key>" -> the value's kind

    @property
    def duration_ms(self) -> float:
        return (self.ended - self.started).total_seconds() * 1000.0


_COLUMNS = (
    runs.c.id,
    runs.c.component_name,
    runs.c.status,
    runs.c.start_ts,
    runs.c.end_ts,
    runs.c.git_hash,
    runs.c.code_hash,
    runs.c.inputs_count,
    runs.c.outputs_count,
)
_VALUES = {
    prefix: select(table.c.run_id, table.c.key, table.c.kind, table.c.num, table.c.text).where(
        looked_up_in(table.c.run_id, "ids")
    )
    for prefix, table in (("params.", run_params), ("metrics.", run_metrics))
}


def run_rows(conn: Connection, selection: Selection, limit: int | None = None, chunk: int = CHUNK) -> Iterator[RunRow]:
    """The selected runs in its order (the first `limit`), fetched `chunk` at a time from a server-side cursor,
    with the values of each chunk's runs read by their ids: run it on a connection in a transaction (PostgreSQL
    declares the cursor in it). The values come as rows, not as JSON: SQLite writes a double in JSON with 15
    digits (0.30000000000000004 as 0.3)."""
    prefer_index_walks(conn)  # each chunk's values by their runs' ids, through the primary key
    tags: dict[str, list[str]] = {}
    for name, tag in conn.execute(select(component_tags.c.component_name, component_tags.c.tag).order_by("tag")):
        tags.setdefault(name, []).append(tag)
    query = ordered_selection(selection, conn.dialect.name).with_only_columns(*_COLUMNS, maintain_column_froms=True)
    if limit is not None:
        query = query.limit(limit)
    result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
    for rows in result.partitions():
        found = {}
        for rid, component, status, start, end, git, code, n_in, n_out in rows:
            found[rid] = RunRow(rid, component, status, start, end, git, code, tags.get(component, []), n_in, n_out)
        ids = list(found)
        for prefix, statement in _VALUES.items():
            for rid, key, kind, num, text in conn.execute(statement, {"ids": ids}):
                row = found[rid]
                (row.params if prefix == "params." else row.metrics)[key] = python_value(kind, num, text)
                row.kinds[prefix + key] = kind
        yield from found.values()


def table_keys(conn: Connection, selection: Selection, limit: int | None = None) -> tuple[list[str], list[str]]:
    """The param keys and the metric keys that the selected runs (the first `limit`) have, sorted."""
    unfiltered = not selection.conditions and selection.component is None and limit is None
    found = []
    for table in (run_params, run_metrics):
        if unfiltered:
            found.append(list(conn.execute(_every_key(table)).scalars()))
            continue
        ordered = ordered_selection(selection, conn.dialect.name)
        chosen = (ordered.limit(limit) if limit is not None else ordered.order_by(None)).subquery()
        keys = select(table.c.key).where(table.c.run_id.in_(select(chosen.c.id))).distinct().order_by(table.c.key)
        found.append(list(conn.execute(keys).scalars()))
    return found[0], found[1]


def _every_key(table: Table) -> Any:
    """Every key of a value table, one index lookup per key (a recursive skip scan of its (key, …) index) rather
    than a read of every row."""
    keys = select(func.min(table.c.key).label("key")).cte("keys", recursive=True)
    following = select(func.min(table.c.key)).where(table.c.key > keys.c.key).scalar_subquery()
    keys = keys.union_all(select(following).where(keys.c.key.is_not(None)))
    return select(keys.c.key).where(keys.c.key.is_not(None)).order_by(keys.c.key)
