"""`mltrace set` (late params and metrics) and `mltrace series`."""

from __future__ import annotations

import json
import math

import pytest

from mltrace.cli.values import parse_value
from mltrace.client import Client
from mltrace.entities.series import SeriesPoint
from tests.cli.conftest import Invoke, one_line_error
from tests.factories import at, run


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("3", 3),
        ("0.913", 0.913),
        ("-1e-3", -0.001),
        ("true", True),
        ("False", False),
        ("resnet18", "resnet18"),
        ("'3'", "3"),
        ('"true"', "true"),
        ("", ""),
    ],
)
def test_values_on_the_command_line_are_numbers_booleans_or_strings(typed: str, value: object) -> None:
    assert parse_value(typed) == value and type(parse_value(typed)) is type(value)


def test_nan_and_infinity_on_the_command_line_are_numbers() -> None:
    assert math.isnan(parse_value("nan")) and parse_value("inf") == math.inf and parse_value("-inf") == -math.inf


def test_set_adds_params_and_metrics_to_a_stored_run(mltrace_cli: Invoke, db_uri: str) -> None:
    (run_id,) = Client(db_uri).ingest([run("train", 0, params={"lr": 0.1})])
    result = mltrace_cli("set", str(run_id), "--param", "model=resnet18", "-p", "lr=0.2", "--metric", "test_acc=0.91")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Run {run_id}: set model, lr, test_acc.\n"
    stored = Client(db_uri).get_run(run_id)
    assert stored.params == {"lr": 0.2, "model": "resnet18"} and stored.metrics == {"test_acc": 0.91}
    data = json.loads(mltrace_cli("set", str(run_id), "-m", "loss=nan", "--json").stdout)
    assert data["metrics"] == {"test_acc": 0.91, "loss": "NaN"}


@pytest.mark.parametrize("args", [["--param", "novalue"], ["--param", "=1"], [], ["--metric", "x=1", "--oops"]])
def test_set_with_bad_input_exits_2_with_one_line(mltrace_cli: Invoke, db_uri: str, args: list[str]) -> None:
    (run_id,) = Client(db_uri).ingest([run("train", 0)])
    result = mltrace_cli("set", str(run_id), *args)
    assert result.exit_code == 2
    one_line_error(result)


def test_set_on_an_unknown_run_exits_1(mltrace_cli: Invoke) -> None:
    result = mltrace_cli("set", "999", "--param", "a=1")
    assert result.exit_code == 1 and "Run 999 not found" in one_line_error(result)


def test_series_prints_each_metrics_last_point_or_every_point_as_json(mltrace_cli: Invoke, db_uri: str) -> None:
    points = [SeriesPoint(0, 0.9, at(1)), SeriesPoint(1, 0.5, at(2))]
    (run_id,) = Client(db_uri).ingest([run("train", 0, end=5, series={"loss": points})])
    assert mltrace_cli("series", str(run_id)).stdout == "loss: 2 points, step 1: 0.5\n"
    data = json.loads(mltrace_cli("series", str(run_id), "--key", "loss", "--json").stdout)
    assert data == {
        "run_id": run_id,
        "series": {
            "loss": [
                {"step": 0, "value": 0.9, "logged": "2026-01-01T00:00:01.000000+00:00"},
                {"step": 1, "value": 0.5, "logged": "2026-01-01T00:00:02.000000+00:00"},
            ]
        },
    }
    assert "no step series" in mltrace_cli("series", str(run_id), "--key", "acc").stdout
