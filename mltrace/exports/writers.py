"""The table of runs as CSV or JSON text, written a chunk at a time as the runs arrive (for files and HTTP answers).

CSV: a header, then one line per run; times in ISO 8601 UTC, NaN as `NaN`, ±Infinity as `inf`/`-inf`, booleans as
`True`/`False`, tags and non-scalar values as JSON, a run without the key an empty cell. JSON: an array of one object
per run, keys as the CSV's columns, a run's missing params and metrics left out, non-finite numbers as the strings
"NaN", "Infinity" and "-Infinity" (as everywhere in the API).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Iterator
from typing import Any

from mltrace.db.run_table import RunRow
from mltrace.entities.times import iso_utc
from mltrace.exports.columns import MISSING, TRAILING, all_columns, cell, leading_values, value_columns

ROWS_PER_CHUNK = 1_000
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def csv_text(rows: Iterable[RunRow], param_keys: list[str], metric_keys: list[str]) -> Iterator[str]:
    """The CSV of the runs, in chunks of about ROWS_PER_CHUNK lines (the header first)."""
    values = value_columns(param_keys, metric_keys)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(all_columns(param_keys, metric_keys))
    for count, row in enumerate(rows, 1):
        leading = leading_values(row)
        writer.writerow(
            [
                *leading[:3],
                iso_utc(row.started),
                iso_utc(row.ended),
                repr(row.duration_ms),
                *leading[6:8],
                json.dumps(row.tags, ensure_ascii=False),
                *(_csv_cell(cell(row, column)) for column in values),
                row.inputs_count,
                row.outputs_count,
            ]
        )
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=True)
    return value


def json_text(rows: Iterable[RunRow]) -> Iterator[str]:
    """The JSON array of the runs, in chunks of about ROWS_PER_CHUNK objects."""
    pieces = ["["]
    for count, row in enumerate(rows):
        item: dict[str, Any] = {
            "run_id": row.run_id,
            "component": row.component,
            "status": row.status,
            "started": iso_utc(row.started),
            "ended": iso_utc(row.ended),
            "duration_ms": row.duration_ms,
            "git_commit": row.git_commit,
            "code_hash": row.code_hash,
            "tags": row.tags,
        }
        for prefix, found in (("params.", row.params), ("metrics.", row.metrics)):
            for key, value in found.items():
                item[prefix + key] = _json_value(value)
        for name in TRAILING:
            item[name] = getattr(row, name)
        pieces.append(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False, allow_nan=False))
        if len(pieces) >= ROWS_PER_CHUNK:
            yield "".join(pieces)
            pieces = []
    pieces.append("\n]\n")
    yield "".join(pieces)


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, (list, dict)):
        from mltrace.entities.json_values import strict_json

        return strict_json(value)
    return value
