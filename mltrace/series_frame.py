"""`series_df`: runs' step series as one long-form pandas DataFrame (pandas is the optional `pandas` extra)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mltrace.client import default_client

if TYPE_CHECKING:
    import pandas

COLUMNS = ("run_id", "key", "step", "value", "logged")


def require_pandas() -> Any:
    """The pandas module; ImportError saying what to install when it is missing."""
    try:
        import pandas
    except ImportError:
        raise ImportError("this needs pandas: pip install mltrace[pandas]") from None
    return pandas


def series_df(run_ids: int | list[int], keys: str | list[str] | None = None) -> pandas.DataFrame:
    """The step series of these runs (every metric, or `keys`), one row per point: `run_id` (int64), `key`,
    `step` (int64), `value` (float64; NaN and ±Infinity kept), `logged` (UTC, tz-aware), ordered by run, key and
    step. NotFoundError naming ids of no stored run."""
    pd = require_pandas()
    ids = [run_ids] if isinstance(run_ids, int) else list(run_ids)
    wanted = [keys] if isinstance(keys, str) else keys
    found = default_client().series_of(ids, wanted)
    rows = [
        (run_id, key, point.step, point.value, point.logged)
        for run_id in dict.fromkeys(ids)
        for key, points in found[run_id].items()
        for point in points
    ]
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    return frame.astype({"run_id": "int64", "key": "object", "step": "int64", "value": "float64"}).assign(
        logged=pd.to_datetime(frame["logged"], utc=True).astype("datetime64[us, UTC]")
    )
