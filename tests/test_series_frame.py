"""`mltrace.series_df`: step series of several runs as one long-form DataFrame."""

from __future__ import annotations

import math
import sys

import pandas as pd
import pytest

import mltrace
from mltrace.client import Client
from mltrace.entities.series import SeriesPoint
from mltrace.errors import NotFoundError
from tests.factories import at, run


def test_series_df_is_long_form_with_typed_columns(logging_to: str) -> None:
    loss = [SeriesPoint(0, 0.9, at(1)), SeriesPoint(5, math.nan, at(2))]
    first, second, plain = Client(logging_to).ingest(
        [
            run("train", 0, end=5, series={"loss": loss, "acc": [SeriesPoint(0, 0.5, at(1))]}),
            run("train", 10, end=15, series={"loss": [SeriesPoint(-1, -math.inf, at(11))]}),
            run("eval", 20),
        ]
    )
    frame = mltrace.series_df([second, first, plain])
    assert list(frame.columns) == ["run_id", "key", "step", "value", "logged"]
    assert [str(t) for t in frame.dtypes] == ["int64", "object", "int64", "float64", "datetime64[us, UTC]"]
    assert frame[["run_id", "key", "step"]].values.tolist() == [
        [second, "loss", -1],
        [first, "acc", 0],
        [first, "loss", 0],
        [first, "loss", 5],
    ]
    assert frame["value"].iloc[0] == -math.inf and math.isnan(frame["value"].iloc[3])
    assert frame["logged"].iloc[1] == pd.Timestamp(at(1))
    only = mltrace.series_df(first, "loss")
    assert only["step"].tolist() == [0, 5]
    empty = mltrace.series_df([plain])
    assert empty.empty and [str(t) for t in empty.dtypes] == [str(t) for t in frame.dtypes]
    with pytest.raises(NotFoundError, match=str(plain + 1)):
        mltrace.series_df([first, plain + 1])


def test_without_pandas_series_df_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` raises ImportError
    with pytest.raises(ImportError, match=r"pip install mltrace\[pandas\]"):
        mltrace.series_df([1])
