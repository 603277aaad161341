"""The CSV export on PostgreSQL: the database writes each chunk of the table itself (`COPY … WITH CSV`), each cell
formatted in SQL as `writers.csv_text` formats it in Python, so Python only passes the text on.

Built run by run in Python the export wrote about 14,000 runs/s (100,000 runs of 20 values, `python -m bench runs`),
nearly all of it per-value work. The ids of the selected runs are read first (a filter's values are bound parameters
there) and the keys of the columns go into a temporary table with bound parameters; the COPY statements name only
integers formatted here. The text may differ from Python's where both read back as the same value: a float in
[1e15, 1e16) in exponent form, non-ASCII characters inside a JSON value unescaped, an empty text quoted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Connection, Engine, text

from mltrace.db.postgres import copy_out_csv, snapshot_twin
from mltrace.db.run_filters import Selection, ordered_selection
from mltrace.db.run_table import table_keys
from mltrace.exports.columns import all_columns

CHUNK = 1_000  # runs per COPY: memory follows it, not the number of runs
KEYS = "mltrace_export_keys"

_ISO = "to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
# repr() of a float: integral ones end in `.0` below 1e16, where repr turns to exponents as PostgreSQL does
_FLOAT_REPR = "CASE WHEN {x} = trunc({x}) AND abs({x}) < 1e16 THEN trunc({x})::bigint::text || '.0' ELSE {x}::text END"
_DURATION = _FLOAT_REPR.format(x="(EXTRACT(EPOCH FROM (r.end_ts - r.start_ts))::float8 * 1000)")
_TAGS = (
    "(SELECT '[' || coalesce(string_agg(to_json(t.tag)::text, ', ' ORDER BY t.tag), '') || ']'"
    " FROM component_tags t WHERE t.component_name = r.component_name)"
)
# a value as `run_values.python_value` gives it and `writers._csv_cell` writes it
_CELL = (
    "CASE x.kind"
    " WHEN 'number' THEN CASE WHEN x.num IS NULL THEN 'NaN' WHEN x.num = 'Infinity'::float8 THEN 'inf'"
    " WHEN x.num = '-Infinity'::float8 THEN '-inf'"
    " WHEN x.num = trunc(x.num) AND abs(x.num) < 9007199254740992 THEN x.num::bigint::text"
    " ELSE " + _FLOAT_REPR.format(x="x.num") + " END"
    " WHEN 'bool' THEN CASE WHEN x.num <> 0 THEN 'True' ELSE 'False' END"
    " ELSE x.text END"
)
_VALUES = (
    "LEFT JOIN LATERAL (SELECT {aggregates} FROM ("
    " SELECT array_position((SELECT array_agg(key ORDER BY pos) FROM " + KEYS + "), 'p' || key) AS pos, kind, num, text"
    " FROM run_params WHERE run_id = r.id"
    " UNION ALL"
    " SELECT array_position((SELECT array_agg(key ORDER BY pos) FROM " + KEYS + "), 'm' || key), kind, num, text"
    " FROM run_metrics WHERE run_id = r.id) x) v ON true"
)
_ROWS = (
    "SELECT r.id, r.component_name, r.status, {started}, {ended}, {duration}, r.git_hash, r.code_hash, {tags}"
    "{values}, r.inputs_count, r.outputs_count"
    " FROM unnest('{{{ids}}}'::int[]) WITH ORDINALITY AS s(id, pos) JOIN component_runs r ON r.id = s.id {lateral}"
    " ORDER BY s.pos"
)


def postgres_csv_text(
    conn: Connection, selection: Selection, limit: int | None, twins: Engine | None = None
) -> Iterator[str]:
    """The CSV of the selected runs (the first `limit`), the header first, then a chunk of CHUNK runs at a time.
    Run it on a connection in a REPEATABLE READ transaction (`Store.stream`): the cursor of the selection and the
    table of keys live until it ends, and past the first chunk a twin connection from `twins` (default: `conn`'s
    engine) on the same snapshot writes every other chunk while this one writes the next."""
    param_keys, metric_keys = table_keys(conn, selection, limit)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(all_columns(param_keys, metric_keys))
    yield header.getvalue()
    keys = [f"p{k}" for k in param_keys] + [f"m{k}" for k in metric_keys]
    _create_keys(conn, keys)
    query = ordered_selection(selection, "postgresql")
    selected = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(
        query.limit(limit) if limit is not None else query
    )
    chunks = selected.scalars().partitions()  # a server-side cursor: CHUNK ids at a time
    here = next(chunks, None)
    there = next(chunks, None)
    if there is None:
        if here is not None:
            yield _chunk_csv(conn, here, len(keys))
        return
    with snapshot_twin(conn, twins or conn.engine) as twin, ThreadPoolExecutor(max_workers=1) as helper:
        _create_keys(twin, keys)
        while here is not None:
            written_there = helper.submit(_chunk_csv, twin, there, len(keys)) if there is not None else None
            yield _chunk_csv(conn, here, len(keys))
            here, there = next(chunks, None), next(chunks, None)  # read while the twin writes
            if written_there is not None:
                yield written_there.result()


def _create_keys(conn: Connection, keys: list[str]) -> None:
    """The keys of the value columns, in order, in a temporary table of the connection's transaction (bound
    parameters: the COPY statements name only integers)."""
    conn.execute(text(f"CREATE TEMPORARY TABLE {KEYS} (pos integer, key text) ON COMMIT DROP"))
    if keys:
        conn.execute(
            text(f"INSERT INTO {KEYS} (pos, key) VALUES (:pos, :key)"),
            [{"pos": i, "key": key} for i, key in enumerate(keys, 1)],
        )


def _chunk_csv(conn: Connection, ids: Sequence[int], key_count: int) -> str:
    """The CSV lines of the runs `ids`, in that order."""
    return copy_out_csv(conn, _rows_statement(ids, key_count), null="").decode("utf-8")


def _rows_statement(ids: Sequence[int], key_count: int) -> str:
    positions = range(1, key_count + 1)
    # FILTER rather than a CASE inside max(): 27 ms a chunk of 1,000 runs instead of 29 (COPY in psql, medians of 5)
    aggregates = ", ".join(f"max({_CELL}) FILTER (WHERE x.pos = {i}) AS c{i}" for i in positions)
    return _ROWS.format(
        started=_ISO.format(column="r.start_ts"),
        ended=_ISO.format(column="r.end_ts"),
        duration=_DURATION,
        tags=_TAGS,
        values="".join(f", v.c{i}" for i in positions),
        ids=",".join(str(int(i)) for i in ids),
        lateral=_VALUES.format(aggregates=aggregates) if key_count else "",
    )
