"""`to_df` on PostgreSQL: the same DataFrame as `frame.run_frame`, with the values read by COPY as CSV and parsed
and pivoted by pandas in C, not value by value in Python.

Reading 100,000 runs of 20 values row by row cost about 19 s (`python -m bench runs`), nearly all of it Python
work per value; this way the database writes CSV and pandas reads it. The ids of the selected runs are read first
(a filter's values are bound parameters there); the COPY statements name only those ids, formatted as integers.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from mltrace.db.models import component_tags
from mltrace.db.postgres import copy_out_csv
from mltrace.db.run_filters import Selection, ordered_selection
from mltrace.db.run_values import BOOL, NUMBER, STRING, python_value
from mltrace.exports.columns import LEADING, TRAILING
from mltrace.exports.frame import require_pandas

if TYPE_CHECKING:
    import pandas as pd

NULL = "\\N"
_RUNS = (
    "SELECT id, component_name, status, start_ts, end_ts, git_hash, code_hash, inputs_count, outputs_count"
    " FROM component_runs{where}"
)
_VALUES = "SELECT run_id, key, kind, num, text FROM {table}{where}"
_ONLY = " WHERE {column} = ANY('{{{ids}}}'::int[])"  # every run selected: no condition to check row by row
_RUN_COLUMNS = ["run_id", "component", "status", "started", "ended", "git_commit", "code_hash", *TRAILING]
_TEXT = {"component": str, "status": str, "git_commit": str, "code_hash": str}


def postgres_run_frame(conn: Connection, selection: Selection, limit: int | None) -> pd.DataFrame:
    """The selected runs (the first `limit`) in their order, as `frame.run_frame` builds them."""
    pd = require_pandas("to_df")
    query = ordered_selection(selection, "postgresql")
    ids = list(conn.execute(query.limit(limit) if limit is not None else query).scalars())
    everything = not selection.conditions and selection.component is None and limit is None
    listed = ",".join(str(int(i)) for i in ids)

    def only(column: str) -> str:
        return "" if everything else _ONLY.format(column=column, ids=listed)

    runs = _read(pd, copy_out_csv(conn, _RUNS.format(where=only("id"))), _RUN_COLUMNS, _TEXT)
    runs = runs.set_index("run_id").reindex(ids).reset_index()
    tags: dict[str, list[str]] = {}
    for name, tag in conn.execute(select(component_tags.c.component_name, component_tags.c.tag).order_by("tag")):
        tags.setdefault(name, []).append(tag)
    frame = pd.DataFrame({"run_id": pd.Series(ids, dtype="int64")})
    for name in ("component", "status"):
        frame[name] = pd.Series(runs[name].tolist())  # typed as pandas types the same list in `frame.run_frame`
    for name in ("started", "ended"):
        frame[name] = pd.to_datetime(runs[name], utc=True, format="ISO8601")
    micros = (frame["ended"] - frame["started"]) // pd.Timedelta(microseconds=1)
    frame["duration_ms"] = (micros / 1e6 * 1000.0).astype("float64")
    for name in ("git_commit", "code_hash"):
        frame[name] = pd.Series(runs[name].astype(object).where(runs[name].notna(), None).tolist(), dtype=None)
    frame["tags"] = [list(tags.get(c, [])) for c in runs["component"].tolist()]
    position = pd.Index(ids)
    columns: dict[str, Any] = {}
    for prefix, table in (("params.", "run_params"), ("metrics.", "run_metrics")):
        values = _read(
            pd,
            copy_out_csv(conn, _VALUES.format(table=table, where=only("run_id"))),
            ["run_id", "key", "kind", "num", "text"],
            {"key": str, "kind": str, "text": str},
        )
        rows = position.get_indexer(values["run_id"])
        values, rows = values[rows >= 0], rows[rows >= 0]  # a run stored since the ids were read is not selected
        values = values.assign(row=rows)
        for key, group in sorted(values.groupby("key", sort=False), key=lambda item: str(item[0])):
            columns[prefix + str(key)] = _column(pd, group, group["row"].to_numpy(), len(ids))
    counts = runs[list(TRAILING)].astype("int64")
    result = pd.concat([frame[list(LEADING)], pd.DataFrame(columns, index=frame.index), counts], axis=1)
    return result


def _read(pd: Any, data: bytes, names: list[str], text: Mapping[str, type]) -> pd.DataFrame:
    """CSV from COPY: `\\N` is NULL, every other cell as written (an empty quoted text is an empty text)."""
    return pd.read_csv(io.BytesIO(data), header=None, names=names, dtype=text, na_values=[NULL], keep_default_na=False)


def _column(pd: Any, group: pd.DataFrame, rows: Any, count: int) -> Any:
    """One value column from a key's rows (`rows`: their positions in the frame), typed as `frame._column` types it."""
    import numpy as np

    kinds = set(group["kind"].unique().tolist())  # not iterated: an arrow-backed column yields one by one
    complete = len(group) == count
    if kinds == {NUMBER}:
        numbers = group["num"].to_numpy(dtype="float64")
        finite = np.isfinite(numbers)
        if finite.all() and (np.floor(numbers) == numbers).all() and (np.abs(numbers) < 2**53).all():
            filled = np.zeros(count, dtype="int64")
            filled[rows] = numbers.astype("int64")
            if complete:
                return pd.Series(filled, dtype="int64")
            mask = np.ones(count, dtype=bool)
            mask[rows] = False
            return pd.Series(pd.arrays.IntegerArray(filled, mask))
        filled = np.full(count, np.nan)
        filled[rows] = numbers
        return pd.Series(filled, dtype="float64")
    if kinds == {BOOL}:
        flags = group["num"].to_numpy(dtype="float64") != 0
        cells: list[Any] = [None] * count
        for row, flag in zip(rows.tolist(), flags.tolist(), strict=True):
            cells[row] = flag
        return pd.Series(cells, dtype="bool" if complete else "boolean")
    cells = [None] * count
    if kinds == {STRING}:
        texts = group["text"].where(group["text"].notna(), NULL)  # a text `\N` is read back as NULL: it was `\N`
        for row, text in zip(rows.tolist(), texts.tolist(), strict=True):
            cells[row] = text
        return pd.Series(cells)
    triples = zip(group["kind"].tolist(), group["num"].tolist(), group["text"].tolist(), strict=True)
    for row, (kind, num, text) in zip(rows.tolist(), triples, strict=True):
        number = None if num != num else num  # NaN: NULL in the table
        cells[row] = python_value(kind, number, NULL if text != text and kind != NUMBER and kind != BOOL else text)
    return pd.Series(cells, dtype="object")
