"""`GET /compare` over HTTP: the runs side by side as the client compares them, its series, its 400s and 404s."""

from __future__ import annotations

import math

from sqlalchemy import insert

from mltrace.client import Client
from mltrace.db.models import run_metric_steps
from mltrace.entities.times import iso_utc
from mltrace.server.compare_schemas import ComparisonSchema
from tests.server.sample import T0, Pipeline, assert_error

ROW_KEYS = {"group", "key", "differs", "values"}


def test_compare_answers_what_the_client_compares(api, store: Client, pipeline: Pipeline) -> None:
    ids = [pipeline.train, pipeline.retrain]
    response = api.get(f"/api/v1/compare?ids={ids[0]},{ids[1]}")
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer == ComparisonSchema().dump(store.compare(ids))
    train = store.get_run(pipeline.train)
    assert answer["runs"][0] == {
        "id": pipeline.train,
        "component": "train",
        "status": "success",
        "start": iso_utc(train.start_timestamp),
        "end": iso_utc(train.end_timestamp),
        "duration_ms": 2500.0,
    }
    assert all(set(row) == ROW_KEYS for row in answer["rows"])
    rows = {(row["group"], row["key"]): row for row in answer["rows"]}
    assert rows["params", "lr"] == {"group": "params", "key": "lr", "differs": True, "values": [0.1, None]}
    assert rows["inputs", "data/clean.csv"] == {
        "group": "inputs",
        "key": "data/clean.csv",
        "differs": False,
        "values": ["c1", "c1"],
    }
    assert rows["run", "code_hash"]["values"] == ["h" * 64, None]
    differs = [row["differs"] for row in answer["rows"]]
    assert differs == sorted(differs, reverse=True) and answer["differing"] == differs.count(True)
    assert answer["series"] == []


def test_step_series_travel_with_non_finite_values_as_strings(api, store: Client, pipeline: Pipeline) -> None:
    values = [0.9, math.nan, math.inf, 0.4] + [0.1] * 96
    rows = [{"run_id": pipeline.train, "key": "loss", "step": s, "num": v, "ts": T0} for s, v in enumerate(values)]
    rows[1]["num"] = None  # NaN is stored as NULL
    with store.store.engine.begin() as conn:
        conn.execute(insert(run_metric_steps), rows)
    answer = api.get(f"/api/v1/compare?ids={pipeline.train},{pipeline.retrain}&points=10").get_json()
    (loss,) = answer["series"]
    (series,) = loss["runs"]
    assert loss["key"] == "loss" and series["run_id"] == pipeline.train and series["count"] == 100
    assert series["steps"] == [0, 12, 24, 36, 48, 60, 72, 84, 96, 99]
    assert series["values"][0] == 0.9 and len(series["values"]) == 10
    whole = api.get(f"/api/v1/compare?ids={pipeline.train},{pipeline.retrain}&points=100").get_json()
    assert whole["series"][0]["runs"][0]["values"][:4] == [0.9, "NaN", "Infinity", 0.4]


def test_bad_ids_are_400_and_unknown_runs_404_naming_them(api, pipeline: Pipeline) -> None:
    first = pipeline.ingest
    for query in (
        f"ids={first}",
        f"ids={first},{first}",
        "ids=" + ",".join(str(i) for i in range(1, 52)),
        f"ids={first},x",
        f"ids={first},-2",
        f"ids={first},,2",
        "ids=",
        "",
        f"ids={first},{pipeline.clean}&points=1",
        f"ids={first},{pipeline.clean}&points=x",
    ):
        assert_error(api.get(f"/api/v1/compare?{query}"), 400, "validation_error")
    error = assert_error(api.get(f"/api/v1/compare?ids={first},999998,999999"), 404, "not_found")
    assert error["message"] == "Runs 999998, 999999 not found."
    error = assert_error(api.get(f"/api/v1/compare?ids={first},0"), 404, "not_found")
    assert error["message"] == "Run 0 not found."
    repeated = api.get(f"/api/v1/compare?ids={first},{pipeline.clean},{first}").get_json()
    assert [run["id"] for run in repeated["runs"]] == [first, pipeline.clean]


def test_fifty_runs_are_compared_and_fifty_one_refused(api, store: Client) -> None:
    from tests.factories import run

    ids = store.ingest([run("train", i, params={"lr": i / 100}) for i in range(51)])
    answer = api.get("/api/v1/compare?ids=" + ",".join(map(str, ids[:50]))).get_json()
    assert len(answer["runs"]) == 50 and len(answer["rows"][0]["values"]) == 50
    assert_error(api.get("/api/v1/compare?ids=" + ",".join(map(str, ids))), 400, "validation_error")
