"""Impact over HTTP: the summary of `GET /impact` and the flags of `POST /impact/flags`, as the client counts them."""

from __future__ import annotations

from urllib.parse import quote

from mltrace.client import Client
from mltrace.entities.times import iso_utc
from tests.server.sample import ODD_IDS, Pipeline, assert_error, at

OUTPUT_KEYS = {"output_id", "type", "flagged", "run_id", "component", "time"}


def impact(api, selector: str, **args: object) -> dict:
    query = "".join(f"&{k}={quote(str(v), safe='')}" for k, v in args.items())
    response = api.get(f"/api/v1/impact?id={quote(selector, safe='')}{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_impact_of_a_raw_input_counts_every_run_and_prediction_downstream(api, store: Client, pipeline: Pipeline):
    answer = impact(api, "data/raw.csv")
    assert answer["components"] == [
        {"name": "predict", "runs": 2},
        {"name": "train", "runs": 2},
        {"name": "clean", "runs": 1},
    ]
    assert answer["runs"] == 5
    assert answer["endpoints"] == 2 + len(ODD_IDS) + 1 and answer["flagged"] == 0
    assert all(set(o) == OUTPUT_KEYS for o in answer["outputs"])
    assert answer["outputs"][0] == {
        "output_id": "pred/3",
        "type": "endpoint",
        "flagged": False,
        "run_id": pipeline.predict2,
        "component": "predict",
        "time": iso_utc(store.get_run(pipeline.predict2).start_timestamp),
    }
    assert sorted(o["output_id"] for o in answer["outputs"][1:]) == sorted(["pred/1", "pred/2", *ODD_IDS])
    assert {o["run_id"] for o in answer["outputs"][1:]} == {pipeline.predict}


def test_impact_of_a_run_includes_the_run_and_respects_limit_since_and_until(api, pipeline: Pipeline):
    answer = impact(api, f"run:{pipeline.train}", limit=2)
    assert answer["components"] == [{"name": "predict", "runs": 2}, {"name": "train", "runs": 1}]
    assert answer["endpoints"] == 2 + len(ODD_IDS) + 1 and len(answer["outputs"]) == 2
    bounded = impact(api, "data/raw.csv", since=iso_utc(at(25)), until=iso_utc(at(42)))
    assert bounded["components"] == [{"name": "predict", "runs": 1}, {"name": "train", "runs": 1}]
    assert bounded["endpoints"] == 2 + len(ODD_IDS)
    assert impact(api, "data/raw.csv", since="2026-01-01T01:00:00")["runs"] == 0


def test_unknown_outputs_and_runs_are_404_and_bad_selectors_400(api, pipeline: Pipeline):
    assert_error(api.get("/api/v1/impact?id=nowhere.csv"), 404, "not_found")
    assert_error(api.get("/api/v1/impact?id=run:999999"), 404, "not_found")
    assert_error(api.get("/api/v1/impact?id=run:0"), 404, "not_found")
    for query in ("id=run:x", "id=run:", "id=", "", "id=pred/1&limit=0", "id=pred/1&since=yesterday"):
        assert_error(api.get(f"/api/v1/impact?{query}"), 400, "validation_error")
    assert_error(api.post("/api/v1/impact/flags", json={"id": "nowhere.csv"}), 404, "not_found")
    for body in ({}, {"id": "run:x"}, {"id": "pred/1", "reason": 3}):
        assert_error(api.post("/api/v1/impact/flags", json=body), 400, "validation_error")


def test_posting_impact_flags_flags_each_prediction_once_and_review_sees_them(api, pipeline: Pipeline):
    api.put("/api/v1/flags/pred%2F1", json={"reason": "seen"})
    posted = api.post("/api/v1/impact/flags", json={"id": "models/model.pkl", "reason": "bad model"})
    assert posted.status_code == 200 and posted.get_json() == {"flagged": 2 + len(ODD_IDS)}
    again = api.post("/api/v1/impact/flags", json={"id": "models/model.pkl", "reason": "bad model"})
    assert again.get_json() == {"flagged": 0}
    flags = {f["output_id"]: f["reason"] for f in api.get("/api/v1/flags").get_json()["flags"]}
    assert flags == {"pred/1": "seen", **{p: "bad model" for p in ["pred/2", "pred/3", *ODD_IDS]}}
    assert set(api.get("/api/v1/review").get_json()["flagged"]) == set(flags)
    assert impact(api, "models/model.pkl")["flagged"] == impact(api, "models/model.pkl")["endpoints"]


def test_posting_impact_flags_within_bounds_flags_only_what_those_runs_wrote(api, pipeline: Pipeline):
    body = {"id": f"run:{pipeline.train}", "since": iso_utc(at(44)), "reason": "late"}
    assert api.post("/api/v1/impact/flags", json=body).get_json() == {"flagged": 1}
    assert [f["output_id"] for f in api.get("/api/v1/flags").get_json()["flags"]] == ["pred/3"]
