"""The table of runs as a pandas DataFrame, each column of the dtype its values share (pandas is an extra)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from mltrace.db.run_table import RunRow
from mltrace.errors import MissingExtraError
from mltrace.exports.columns import LEADING, MISSING, TRAILING, leading_values

if TYPE_CHECKING:
    import pandas as pd

INSTALL = "pip install 'mltrace[pandas]'"


def require_pandas(what: str) -> Any:
    """The pandas module; MissingExtraError saying what to install when it is not there."""
    try:
        import pandas
    except ImportError:
        raise MissingExtraError(f"{what} needs pandas: {INSTALL}") from None
    return pandas


def run_frame(rows: Iterable[RunRow]) -> pd.DataFrame:
    """One row per run: LEADING, then `params.<key>` and `metrics.<key>` columns (sorted), then TRAILING.

    Dtypes: numbers float64 (int64 when all are integers and every run has one; Int64 when some runs lack it),
    booleans bool (boolean when some runs lack one), strings as pandas infers them, other or mixed values object;
    a missing value is NaN, <NA> or None accordingly, a NaN stays NaN. `started`/`ended` are UTC-aware."""
    pd = require_pandas("to_df")
    leading: list[tuple[Any, ...]] = []
    trailing: list[tuple[int, int]] = []
    values: dict[str, dict[int, Any]] = {}
    kinds: dict[str, set[str]] = {}
    for index, row in enumerate(rows):
        leading.append(leading_values(row))
        trailing.append((row.inputs_count, row.outputs_count))
        for prefix, found in (("params.", row.params), ("metrics.", row.metrics)):
            for key, value in found.items():
                column = prefix + key
                values.setdefault(column, {})[index] = value
                kinds.setdefault(column, set()).add(row.kinds[column])
    count = len(leading)
    frame = pd.DataFrame.from_records(leading, columns=list(LEADING), nrows=count)
    frame["run_id"] = frame["run_id"].astype("int64")
    for name in ("started", "ended"):
        frame[name] = pd.to_datetime(frame[name], utc=True)
    frame["duration_ms"] = frame["duration_ms"].astype("float64")
    ordered = sorted(c for c in values if c.startswith("params.")) + sorted(
        c for c in values if c.startswith("metrics.")
    )
    columns = {c: _column(pd, values[c], kinds[c], count) for c in ordered}
    counts = pd.DataFrame.from_records(trailing, columns=list(TRAILING), nrows=count).astype("int64")
    return pd.concat([frame, pd.DataFrame(columns, index=frame.index), counts], axis=1)


def _column(pd: Any, found: dict[int, Any], kinds: set[str], count: int) -> Any:
    """One value column: its values by row index, typed by the kinds of value it holds."""
    complete = len(found) == count
    cells = [found.get(i, MISSING) for i in range(count)]
    if kinds == {"number"}:
        integers = all(isinstance(v, int) for v in found.values())
        if integers:
            return pd.Series([None if v is MISSING else v for v in cells], dtype="int64" if complete else "Int64")
        return pd.Series([math.nan if v is MISSING else float(v) for v in cells], dtype="float64")
    if kinds == {"bool"}:
        return pd.Series([None if v is MISSING else v for v in cells], dtype="bool" if complete else "boolean")
    if kinds == {"string"}:
        return pd.Series([None if v is MISSING else v for v in cells])
    return pd.Series([None if v is MISSING else v for v in cells], dtype="object")
