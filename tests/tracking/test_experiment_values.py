"""A decorated call's scalar arguments as params (`log_args`) and `log_metrics(..., step=N)` as a step series."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

import mltrace
from mltrace.client import Client
from mltrace.db.store import engine_for
from mltrace.entities.run_wire import from_wire, to_wire
from mltrace.entities.series import SeriesPoint
from mltrace.tracking.arguments import MAX_ARG_CHARS


def _last_run(db_uri: str, component: str) -> Any:
    assert mltrace.flush(30)
    (run,) = Client(db_uri).history(component, limit=1)
    return Client(db_uri).get_run(run.id)


def _rows(db_uri: str, sql: str) -> list[tuple[Any, ...]]:
    with engine_for(db_uri).connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_scalar_arguments_and_defaults_are_recorded_as_params(logging_to: str) -> None:
    @mltrace.register("fit")
    def fit(data: list[int], lr: float, epochs: int = 3, *, model: str = "resnet18", shuffle: bool = True) -> int:
        return len(data)

    fit([1, 2], 0.01, model="x" * (MAX_ARG_CHARS + 1))
    run = _last_run(logging_to, "fit")
    # a list is no param; a string longer than MAX_ARG_CHARS replaces its default and is left out
    assert run.params == {"lr": 0.01, "epochs": 3, "shuffle": True}
    assert _rows(logging_to, "SELECT key, kind, num FROM run_params ORDER BY key") == [
        ("epochs", "number", 3.0),
        ("lr", "number", 0.01),
        ("shuffle", "bool", 1.0),
    ]


def test_explicit_params_win_over_arguments_and_extra_keywords_are_recorded(logging_to: str) -> None:
    @mltrace.register("tune")
    def tune(lr: float, *rest: Any, **options: Any) -> None:
        mltrace.log_params(lr=0.5)

    tune(0.1, "ignored", batch=32, note="short", path=["not", "scalar"])
    assert _last_run(logging_to, "tune").params == {"lr": 0.5, "batch": 32, "note": "short"}


def test_log_args_false_records_no_argument(logging_to: str) -> None:
    @mltrace.register("quiet", log_args=False)
    def quiet(lr: float) -> None:
        pass

    component = mltrace.Component("quiet_component")

    @component.run(log_args=False)
    def quiet2(lr: float) -> None:
        pass

    quiet(0.1)
    quiet2(0.2)
    assert _last_run(logging_to, "quiet").params == {}
    assert _last_run(logging_to, "quiet_component").params == {}


def test_log_args_must_be_a_boolean() -> None:
    with pytest.raises(TypeError, match="log_args"):
        mltrace.register("x", log_args="yes")  # type: ignore[arg-type]


def test_step_metrics_are_a_series_whose_last_step_is_the_runs_value(logging_to: str) -> None:
    @mltrace.register("train")
    def train() -> None:
        for epoch in range(3):
            mltrace.log_metrics({"loss": 1.0 / (epoch + 1)}, step=epoch)
        mltrace.log_metrics({"loss": 0.2}, step=1)  # a later point at a step replaces it
        mltrace.log_metrics(accuracy=0.9)  # without a step: a run-level value, as before

    before = time.time()
    train()
    run = _last_run(logging_to, "train")
    assert run.metrics == {"loss": pytest.approx(1 / 3), "accuracy": 0.9}
    series = Client(logging_to).series(run.id)
    assert [(p.step, p.value) for p in series["loss"]] == [(0, 1.0), (1, 0.2), (2, pytest.approx(1 / 3))]
    assert all(before - 1 < p.logged.timestamp() < time.time() + 1 for p in series["loss"])
    assert list(series) == ["loss"]
    assert _rows(logging_to, "SELECT key, num FROM run_metrics WHERE key = 'loss'") == [("loss", pytest.approx(1 / 3))]
    assert _rows(logging_to, "SELECT key, step, value FROM mltrace_metric_steps ORDER BY step")[1] == ("loss", 1, 0.2)


def test_nan_and_infinity_survive_the_decorator_round_trip(logging_to: str) -> None:
    @mltrace.register("odd")
    def odd(scale: float) -> None:
        mltrace.log_metrics({"loss": math.nan, "grad": math.inf}, step=0)
        mltrace.log_metrics({"loss": -math.inf}, step=1)
        mltrace.log_metrics(final=math.nan)

    odd(math.inf)
    run = _last_run(logging_to, "odd")
    assert run.params == {"scale": "Infinity"}  # JSON's way, as for every param (docs/API.md)
    assert run.metrics == {"loss": "-Infinity", "grad": "Infinity", "final": "NaN"}
    series = Client(logging_to).series(run.id)
    assert math.isnan(series["loss"][0].value) and series["loss"][1].value == -math.inf
    assert series["grad"][0].value == math.inf
    typed = dict(_rows(logging_to, "SELECT key, num FROM run_metrics WHERE kind = 'number'"))
    assert typed == {"loss": -math.inf, "grad": math.inf, "final": None}  # NaN is NULL: no comparison matches it


def test_a_step_that_is_no_integer_or_a_value_that_is_no_number(logging_to: str, caplog: Any) -> None:
    @mltrace.register("sloppy")
    def sloppy() -> None:
        mltrace.log_metrics({"loss": 0.5}, step=1.5)  # type: ignore[arg-type]
        mltrace.log_metrics({"loss": 0.5}, step=True)  # type: ignore[arg-type]
        mltrace.log_metrics({"phase": "warmup", "ok": True}, step=2)

    sloppy()
    run = _last_run(logging_to, "sloppy")
    assert run.metrics == {"phase": "warmup", "ok": 1.0}
    assert [(p.step, p.value) for p in Client(logging_to).series(run.id)["ok"]] == [(2, 1.0)]
    assert "not an integer" in caplog.text and "not a number" in caplog.text


def test_the_wire_format_carries_series_as_columns() -> None:
    from tests.factories import at, run

    record = run("w", 0, series={"loss": [SeriesPoint(0, 0.5, at(0)), SeriesPoint(3, math.nan, at(1))]})
    wire = to_wire(record)
    assert wire["series"] == {
        "loss": {"step": [0, 3], "value": [0.5, "NaN"], "logged": [at(0).isoformat(), at(1).isoformat()]}
    }
    back = from_wire(wire).series["loss"]
    assert back[0] == SeriesPoint(0, 0.5, at(0)) and back[1].step == 3 and math.isnan(back[1].value)
    assert "series" not in to_wire(run("w", 0))
    with pytest.raises(ValueError, match="differ in length"):
        from_wire({**wire, "series": {"loss": {"step": [0], "value": [], "logged": []}}})


@pytest.fixture
def big_series() -> Iterator[list[SeriesPoint]]:
    from tests.factories import at

    yield [SeriesPoint(i, math.sin(i / 1000), at(i / 1000)) for i in range(100_000)]


def test_a_series_of_100000_points_on_one_run_stores_and_reads_back(db_uri: str, big_series: list[SeriesPoint]) -> None:
    from tests.factories import run

    client = Client(db_uri)
    (run_id,) = client.ingest([run("long", 0, end=200, series={"loss": big_series})])
    back = client.series(run_id)["loss"]
    assert len(back) == 100_000
    assert back == big_series
    assert client.get_run(run_id).metrics == {"loss": pytest.approx(math.sin(99.999))}
