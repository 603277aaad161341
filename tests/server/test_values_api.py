"""`PATCH /api/v1/runs/{id}` (late params and metrics) and `GET /api/v1/runs/{id}/series`, directly and through a
client whose address is a live server."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

import mltrace
from mltrace import client as client_module
from mltrace.client import Client
from mltrace.entities.series import SeriesPoint
from mltrace.errors import InvalidInputError, NotFoundError
from tests.factories import at, run
from tests.server.test_serve import server  # noqa: F401  (the live gunicorn server fixture)

POINTS = [SeriesPoint(0, 0.9, at(1)), SeriesPoint(1, math.nan, at(2)), SeriesPoint(2, math.inf, at(3))]


@pytest.fixture
def run_id(store: Client) -> int:
    (found,) = store.ingest([run("train", 0, end=10, params={"lr": 0.1}, series={"loss": POINTS, "acc": POINTS[:1]})])
    return found


def _error(response) -> dict:  # noqa: ANN001
    assert set(response.json) == {"error"} and set(response.json["error"]) == {"code", "message", "details"}
    return response.json["error"]


def test_patch_adds_and_replaces_values_and_answers_the_run(api: FlaskClient, run_id: int) -> None:
    body = {"params": {"lr": 0.2, "model": "resnet18"}, "metrics": {"test_acc": 0.91, "nan": "NaN", "ok": False}}
    answer = api.patch(f"/api/v1/runs/{run_id}", json=body)
    assert answer.status_code == 200
    assert answer.json["params"] == {"lr": 0.2, "model": "resnet18"}
    assert answer.json["metrics"] == {"loss": "Infinity", "acc": 0.9, "test_acc": 0.91, "nan": "NaN", "ok": False}
    assert api.get(f"/api/v1/runs/{run_id}").json["metrics"] == answer.json["metrics"]


def test_patch_of_an_unknown_run_is_404_and_bad_bodies_are_400(api: FlaskClient, run_id: int) -> None:
    assert _error(api.patch(f"/api/v1/runs/{run_id + 1}", json={"params": {"a": 1}}))["code"] == "not_found"
    for body in (
        {"params": {"a": [1]}},
        {"metrics": {"a": None}},
        {"metrics": {"a": {"b": 1}}},
        {"params": {"": 1}},
        {"params": {"k" * 256: 1}},
        {"params": {"a": "x\u0000"}},
        {"params": [1]},
        {"other": 1},
        {},
    ):
        answer = api.patch(f"/api/v1/runs/{run_id}", json=body)
        assert answer.status_code == 400, body
        assert _error(answer)["code"] == "validation_error"
    assert api.patch("/api/v1/runs/abc", json={}).status_code == 400
    assert api.get(f"/api/v1/runs/{run_id}").json["params"] == {"lr": 0.1}


def test_series_answers_every_point_by_metric_with_nan_and_infinity_as_strings(api: FlaskClient, run_id: int) -> None:
    answer = api.get(f"/api/v1/runs/{run_id}/series")
    assert answer.status_code == 200
    assert answer.json == {
        "run_id": run_id,
        "series": {
            "acc": [{"step": 0, "value": 0.9, "logged": "2026-01-01T00:00:01.000000+00:00"}],
            "loss": [
                {"step": 0, "value": 0.9, "logged": "2026-01-01T00:00:01.000000+00:00"},
                {"step": 1, "value": "NaN", "logged": "2026-01-01T00:00:02.000000+00:00"},
                {"step": 2, "value": "Infinity", "logged": "2026-01-01T00:00:03.000000+00:00"},
            ],
        },
    }
    only = api.get(f"/api/v1/runs/{run_id}/series?key=acc&key=none").json["series"]
    assert list(only) == ["acc"]


def test_series_of_a_run_without_any_is_empty_and_of_an_unknown_run_404(
    api: FlaskClient, store: Client, run_id: int
) -> None:
    (plain,) = store.ingest([run("plain", 20)])
    assert api.get(f"/api/v1/runs/{plain}/series").json == {"run_id": plain, "series": {}}
    assert _error(api.get(f"/api/v1/runs/{plain + 1}/series"))["code"] == "not_found"
    assert _error(api.get(f"/api/v1/runs/{run_id}/series?key="))["code"] == "validation_error"
    assert _error(api.get(f"/api/v1/runs/{run_id}/series?keys=loss"))["code"] == "validation_error"


def test_posted_runs_carry_their_series(api: FlaskClient) -> None:
    from mltrace.entities.run_wire import to_wire

    wire = to_wire(run("posted", 0, series={"loss": POINTS}))
    assert api.post("/api/v1/runs", json={"runs": [wire]}).status_code == 200
    run_id = api.get("/api/v1/runs?limit=1").json["runs"][0]["id"]
    assert [p["value"] for p in api.get(f"/api/v1/runs/{run_id}/series").json["series"]["loss"]] == [
        0.9,
        "NaN",
        "Infinity",
    ]
    bad = {
        **wire,
        "series": {"loss": {"step": [0, 0], "value": [1, 2], "logged": wire["series"]["loss"]["logged"][:2]}},
    }
    assert _error(api.post("/api/v1/runs", json={"runs": [bad]}))["code"] == "validation_error"


@pytest.fixture
def through(server: str, mltrace_home: Path) -> Iterator[str]:  # noqa: F811
    client_module._overrides.clear()
    mltrace.set_address(server)
    yield server
    client_module._overrides.clear()
    client_module._reset_default()


def test_arguments_series_and_late_values_through_a_server(through: str) -> None:
    @mltrace.register("remote_train")
    def remote_train(lr: float, epochs: int = 3) -> None:
        for epoch in range(epochs):
            mltrace.log_metrics({"loss": 1.0 / (epoch + 1), "odd": math.nan}, step=epoch)

    remote_train(0.05)
    assert mltrace.flush(30)
    (stored,) = mltrace.get_history("remote_train")
    assert stored.params == {"lr": 0.05, "epochs": 3}
    client = client_module.default_client()
    series = client.series(stored.id)
    assert [p.value for p in series["loss"]] == [1.0, 0.5, pytest.approx(1 / 3)]
    assert all(math.isnan(p.value) for p in series["odd"])
    updated = mltrace.set_metrics(stored.id, {"test_acc": math.inf, "note": "ok"})
    assert updated.metrics["test_acc"] == "Infinity" and updated.metrics["note"] == "ok"
    assert mltrace.set_params(stored.id, {"lr": 0.1}).params["lr"] == 0.1
    frame = mltrace.series_df([stored.id], ["loss"])
    assert frame["value"].tolist() == [1.0, 0.5, pytest.approx(1 / 3)]
    with pytest.raises(NotFoundError):
        mltrace.set_metrics(stored.id + 1000, {"x": 1})
    with pytest.raises(NotFoundError):
        client.series(stored.id + 1000)
    with pytest.raises(InvalidInputError):
        mltrace.set_metrics(stored.id, {"x": [1]})
