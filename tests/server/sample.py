"""Sample data and assertions shared by the API tests: a small pipeline and odd output ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mltrace.entities import ComponentRun, IOPointer, PointerType
from tests.factories import T0, at, run

__all__ = ["T0", "at", "record", "prediction", "Pipeline", "PIPELINE_RECORDS", "ODD_IDS", "assert_error"]

ODD_IDS = ["preds/2026 01/#1?x=%41", "ü/ñ.csv", "/abs/path/out.csv", "s3://bucket//key", "trailing/"]


def record(
    component: str, start: float, inputs: list[Any] = (), outputs: list[Any] = (), duration: float = 2.5, **fields: Any
) -> ComponentRun:
    """A captured run starting `start` seconds after T0; pointers as names, `(name, value_hash)` or IOPointers."""
    return run(component, start, start + duration, inputs, outputs, **fields)


def prediction(name: str) -> IOPointer:
    """An endpoint output (a prediction id)."""
    return IOPointer(name, PointerType.ENDPOINT)


@dataclass
class Pipeline:
    """Run ids of the sample pipeline: ingest → clean → train → predict (twice, the second with a new model)."""

    ingest: int
    clean: int
    train: int
    predict: int
    retrain: int
    predict2: int


PIPELINE_RECORDS = [
    record(
        "ingest",
        0,
        [],
        [("data/raw.csv", "r1")],
        component_owner="ana",
        component_description="Pulls raw data",
        component_tags=["etl", "team/data"],
        git_hash="a" * 40,
        git_tags=["v1.0"],
    ),
    record(
        "clean", 10, [("data/raw.csv", "r1")], [("data/clean.csv", "c1")], component_tags=["etl"], component_owner="ana"
    ),
    record(
        "train",
        20,
        [("data/clean.csv", "c1")],
        [("models/model.pkl", "m1")],
        component_owner="bo",
        component_tags=["ml"],
        code_snapshot="def train(df):\n    return fit(df)\n",
        code_hash="h" * 64,
        params={"lr": 0.1},
        metrics={"auc": 0.91},
        test_results=[{"test": "NotEmpty", "name": "test_not_empty", "phase": "after", "passed": True, "error": None}],
    ),
    record(
        "predict",
        30,
        [("models/model.pkl", "m1")],
        [prediction(p) for p in ["pred/1", "pred/2", *ODD_IDS]],
        component_owner="bo",
    ),
    record("train", 40, [("data/clean.csv", "c1")], [("models/model.pkl", "m2")], duration=1.0),
    record(
        "predict", 45, [("models/model.pkl", "m1")], [prediction("pred/3")], status="failed", error="ValueError: boom"
    ),
]


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is a JSON error of this status and code; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]
