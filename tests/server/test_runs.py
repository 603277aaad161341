"""Runs: recent with its cursor, inspect, notes and batch ingest."""

from __future__ import annotations

import math

import mltrace
from mltrace.entities.component_run import PREVIEW_SIZE
from mltrace.entities.run_wire import from_wire, to_wire
from tests.server.sample import T0, Pipeline, assert_error, at, prediction, record


def test_recent_lists_runs_newest_first_in_the_run_shape(api, pipeline: Pipeline):
    body = api.get("/api/v1/runs?limit=2").get_json()
    assert [r["id"] for r in body["runs"]] == [pipeline.predict2, pipeline.retrain]
    failed = body["runs"][0]
    assert failed == {
        "id": pipeline.predict2,
        "component": "predict",
        "start": "2026-01-01T00:00:45.000000+00:00",
        "end": "2026-01-01T00:00:47.500000+00:00",
        "duration_ms": 2500.0,
        "status": "failed",
        "error": "ValueError: boom",
        "inputs": [{"name": "models/model.pkl", "type": "model", "value_hash": "m1", "flagged": False}],
        "outputs": [{"name": "pred/3", "type": "endpoint", "value_hash": None, "flagged": False}],
        "inputs_count": 1,
        "outputs_count": 1,
        "dependencies": [pipeline.train],
        "code_hash": None,
        "git_hash": None,
        "git_tags": [],
        "notes": "",
        "params": {},
        "metrics": {},
        "test_results": [],
        "warnings": [],
        "stale": failed["stale"],
        "suspect": [],
    }
    assert len(failed["stale"]) == 1 and f"run {pipeline.train}" in failed["stale"][0]
    assert "code_snapshot" not in failed and "component_info" not in failed
    assert body["next"]


def test_recent_cursor_walks_every_run_once_even_with_equal_start_times(api, store):
    store.ingest([record("tick", 0) for _ in range(7)] + [record("tock", 5)])
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/runs?limit=3" + (f"&before={cursor}" if cursor else "")
        body = api.get(url).get_json()
        seen += [r["id"] for r in body["runs"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 8
    assert seen == [8, 7, 6, 5, 4, 3, 2, 1]  # latest start first, then equal starts by id, newest first


def test_recent_cursor_keeps_microseconds_and_offsets_exact(api, store):
    store.ingest([record("tick", (i % 3) / 1_000_000) for i in range(10)])  # three start times a microsecond apart
    seen, cursor = [], None
    while True:
        body = api.get("/api/v1/runs?limit=4" + (f"&before={cursor}" if cursor else "")).get_json()
        seen += [(r["start"], r["id"]) for r in body["runs"]]
        if (cursor := body["next"]) is None:
            break
    assert len(set(seen)) == 10 and seen == sorted(seen, reverse=True)
    assert seen[0][0] == "2026-01-01T00:00:00.000002+00:00"


def test_recent_next_is_null_when_the_last_page_is_exactly_full(api, store):
    store.ingest([record("tick", i) for i in range(4)])
    first = api.get("/api/v1/runs?limit=2").get_json()
    second = api.get(f"/api/v1/runs?limit=2&before={first['next']}").get_json()
    assert len(second["runs"]) == 2 and second["next"] is None
    assert api.get("/api/v1/runs?limit=4").get_json()["next"] is None


def test_recent_rejects_bad_limits_and_cursors(api):
    for limit in ("0", "501", "-3", "abc", "2.5"):
        error = assert_error(api.get(f"/api/v1/runs?limit={limit}"), 400, "validation_error")
        assert "limit" in error["details"]
    error = assert_error(api.get("/api/v1/runs?before=not-a-cursor"), 400, "validation_error")
    assert "before" in error["details"]
    assert api.get("/api/v1/runs?limit=500").status_code == 200
    for empty in ("limit=", "before="):  # an empty value is not an absent one
        assert_error(api.get(f"/api/v1/runs?{empty}"), 400, "validation_error")


def test_inspect_includes_code_snapshot_and_component(api, pipeline: Pipeline):
    body = api.get(f"/api/v1/runs/{pipeline.train}").get_json()
    assert body["id"] == pipeline.train
    assert body["code_snapshot"] == "def train(df):\n    return fit(df)\n"
    assert body["code_hash"] == "h" * 64
    assert body["component_info"] == {"name": "train", "owner": "bo", "description": "", "tags": ["ml"]}
    assert body["params"] == {"lr": 0.1} and body["metrics"] == {"auc": 0.91}
    assert body["test_results"] == [
        {"test": "NotEmpty", "name": "test_not_empty", "phase": "after", "passed": True, "error": None}
    ]
    assert body["dependencies"] == [pipeline.clean]
    assert body["duration_ms"] == 2500.0
    assert body["stale"] == [] and body["warnings"] == []
    first = api.get(f"/api/v1/runs/{pipeline.ingest}").get_json()
    assert first["git_hash"] == "a" * 40 and first["git_tags"] == ["v1.0"]
    assert first["component_info"]["tags"] == ["etl", "team/data"]


def test_every_list_of_runs_previews_a_batch_run_and_inspect_shows_it_whole(api, store, pipeline: Pipeline):
    predictions = [prediction(f"batch/{k:03d}") for k in range(150)]
    inputs = ["models/model.pkl", ("data/clean.csv", "c1")]
    (batch,) = store.ingest([record("predict", 60, inputs, predictions, component_tags=["serving"])])
    api.put("/api/v1/flags/batch%2F004", json={"reason": "bad"})
    shown = [f"batch/{k:03d}" for k in range(PREVIEW_SIZE)]  # the first logged, sorted by name
    listed = {
        "recent": api.get("/api/v1/runs?limit=1").get_json()["runs"][0],
        "history": api.get("/api/v1/components/predict/runs").get_json()["runs"][0],
        "tag": api.get("/api/v1/tags/serving/components").get_json()["components"][0]["recent_runs"][0],
        "review": next(r for r in api.get("/api/v1/review").get_json()["runs"] if r["id"] == batch),
    }
    for where, run in listed.items():
        assert run["id"] == batch, where
        assert [p["name"] for p in run["outputs"]] == shown, where
        assert [p["flagged"] for p in run["outputs"]] == [k == 4 for k in range(PREVIEW_SIZE)], where
        assert (run["inputs_count"], run["outputs_count"]) == (2, 150), where
        assert [p["name"] for p in run["inputs"]] == ["data/clean.csv", "models/model.pkl"], where
    whole = api.get(f"/api/v1/runs/{batch}").get_json()
    assert [p["name"] for p in whole["outputs"]] == [p.name for p in predictions]
    assert (whole["inputs_count"], whole["outputs_count"]) == (2, 150)
    assert {k: v for k, v in whole.items() if k not in ("outputs", "code_snapshot", "component_info")} == {
        k: v for k, v in listed["recent"].items() if k != "outputs"
    }


def test_runs_by_id_are_whole_in_the_order_asked_and_unknown_ids_left_out(api, store, pipeline: Pipeline):
    predictions = [prediction(f"batch/{k:03d}") for k in range(150)]
    (batch,) = store.ingest([record("predict", 60, ["models/model.pkl"], predictions)])
    asked = [batch, 424242, pipeline.train, pipeline.ingest, batch]
    body = api.get(f"/api/v1/runs?ids={','.join(map(str, asked))}").get_json()
    assert [r["id"] for r in body["runs"]] == [batch, pipeline.train, pipeline.ingest] and body["next"] is None
    whole = api.get(f"/api/v1/runs/{batch}").get_json()
    assert body["runs"][0] == {k: v for k, v in whole.items() if k not in ("code_snapshot", "component_info")}
    assert len(body["runs"][0]["outputs"]) == body["runs"][0]["outputs_count"] == 150
    assert api.get("/api/v1/runs?ids=424242").get_json() == {"runs": [], "next": None}


def test_runs_by_id_reject_what_is_not_a_short_list_of_ids(api, pipeline: Pipeline):
    for ids in ("abc", "1,,2", "", "-4", "1.5", "12345678901", ",".join(map(str, range(1, 202)))):
        error = assert_error(api.get(f"/api/v1/runs?ids={ids}"), 400, "validation_error")
        assert "ids" in error["details"], ids
    for no_run_has_it in ("0", "2147483648", "0,9999999999"):
        assert api.get(f"/api/v1/runs?ids={no_run_has_it}").get_json() == {"runs": [], "next": None}
    first = api.get("/api/v1/runs?limit=1").get_json()
    for other in ("limit=5", f"before={first['next']}"):  # ignored with ids
        body = api.get(f"/api/v1/runs?ids=1,2&{other}").get_json()
        assert [r["id"] for r in body["runs"]] == [1, 2]
    assert len(api.get(f"/api/v1/runs?ids={','.join(map(str, range(1, 201)))}").get_json()["runs"]) == 6


def test_inspect_distinguishes_malformed_from_unknown_run_ids(api, pipeline: Pipeline):
    assert_error(api.get("/api/v1/runs/abc"), 400, "bad_request")
    assert_error(api.get("/api/v1/runs/-1"), 400, "bad_request")
    assert_error(api.get("/api/v1/runs/99999"), 404, "not_found")
    assert_error(api.get("/api/v1/runs/99999999999999999999"), 404, "not_found")


def test_notes_replace_a_runs_notes(api, pipeline: Pipeline):
    response = api.put(f"/api/v1/runs/{pipeline.clean}/notes", json={"notes": "checked ✓ <b>"})
    assert response.status_code == 200
    assert response.get_json()["notes"] == "checked ✓ <b>"
    assert response.get_json()["id"] == pipeline.clean
    assert api.get(f"/api/v1/runs/{pipeline.clean}").get_json()["notes"] == "checked ✓ <b>"
    assert_error(api.put("/api/v1/runs/99999/notes", json={"notes": "x"}), 404, "not_found")
    assert_error(api.put("/api/v1/runs/abc/notes", json={"notes": "x"}), 400, "bad_request")
    assert (
        "notes"
        in assert_error(api.put(f"/api/v1/runs/{pipeline.clean}/notes", json={}), 400, "validation_error")["details"]
    )
    assert_error(api.put(f"/api/v1/runs/{pipeline.clean}/notes", json={"notes": 3}), 400, "validation_error")


def test_ingest_stores_a_batch_as_the_client_spool_writes_it(api, store):
    records = [
        record(
            "load",
            0,
            [],
            [("data/in.csv", "v1")],
            component_owner="cy",
            component_tags=["etl"],
            params={"n": 3},
            metrics={"loss": math.nan, "gain": math.inf},
        ),
        record("fit", 10, [("data/in.csv", "v1")], ["models/m.pkl"], upstream=[]),
    ]
    response = api.post("/api/v1/runs", json={"runs": [to_wire(r) for r in records]})
    assert response.status_code == 200 and response.get_json() == {"ingested": 2}
    runs = api.get("/api/v1/runs").get_json()["runs"]
    assert [r["component"] for r in runs] == ["fit", "load"]
    assert runs[0]["dependencies"] == [runs[1]["id"]]
    assert runs[1]["metrics"] == {"loss": "NaN", "gain": "Infinity"}
    assert store.component("load").owner == "cy"
    again = api.post("/api/v1/runs", json={"runs": [to_wire(r) for r in records]})
    assert again.get_json() == {"ingested": 0}  # same keys: already stored
    assert api.post("/api/v1/runs", json={"runs": []}).get_json() == {"ingested": 0}


def test_ingest_accepts_naive_times_as_utc(api):
    data = to_wire(record("load", 0))
    data["start"], data["end"] = "2026-01-01T00:00:00", "2026-01-01T00:00:01.5"
    assert api.post("/api/v1/runs", json={"runs": [data]}).get_json() == {"ingested": 1}
    run = api.get("/api/v1/runs").get_json()["runs"][0]
    assert run["start"] == T0.isoformat(timespec="microseconds") and run["duration_ms"] == 1500.0


def test_ingest_rejects_the_whole_batch_naming_the_bad_record(api, store):
    good = to_wire(record("load", 0))
    bad_cases = [
        {**to_wire(record("x", 1)), "start": "yesterday"},
        {**to_wire(record("x", 1)), "status": "meh"},
        {**to_wire(record("x", 1)), "component": ""},
        {**to_wire(record("x", 1)), "inputs": [{"name": "a", "type": "blob"}]},
        {**to_wire(record("x", 1)), "outputs": [{"nom": "a"}]},
        {**to_wire(record("x", 1)), "upstream": ["1"]},
        {**to_wire(record("x", 1)), "surprise": True},
        {**to_wire(record("x", 1)), "component": "nul\x00byte"},
        {**to_wire(record("x", 1)), "key": "k" * 65},
        {k: v for k, v in to_wire(record("x", 1)).items() if k != "end"},
        "not a record",
    ]
    for bad in bad_cases:
        error = assert_error(api.post("/api/v1/runs", json={"runs": [good, bad]}), 400, "validation_error")
        assert list(error["details"]["runs"]) == ["1"], bad
        assert "runs.1" in error["message"]
    assert store.recent(10) == []  # nothing half-written
    assert_error(api.post("/api/v1/runs", json={}), 400, "validation_error")
    assert_error(api.post("/api/v1/runs", json={"runs": {}}), 400, "validation_error")
    assert_error(api.post("/api/v1/runs", data="{nope", content_type="application/json"), 400, "bad_request")


def test_ingest_round_trips_a_record_through_from_json(api):
    original = record(
        "load",
        0,
        [("a.csv", "1")],
        ["b.csv"],
        git_tags=["t"],
        notes="n",
        warnings=["w"],
        staleness_threshold_s=60.0,
        component_description="d",
    )
    assert from_wire(to_wire(original)) == original
    assert api.post("/api/v1/runs", json={"runs": [to_wire(original)]}).get_json() == {"ingested": 1}
    run = api.get("/api/v1/runs").get_json()["runs"][0]
    assert (run["notes"], run["warnings"], run["git_tags"]) == ("n", ["w"], ["t"])
    assert run["start"] == at(0).isoformat(timespec="microseconds")


def test_runs_logged_by_the_decorators_are_served(api, logging_to: str):
    @mltrace.register("featurize", inputs=["data/raw.parquet"], output_vars=["out"])
    def featurize(day: int) -> str:
        out = f"data/features-{day}.parquet"
        return out

    @mltrace.register("score", input_vars=["path"], output_vars=["ids"], endpoint=True)
    def score(path: str) -> int:
        ids = [f"pred-{i}" for i in range(3)]
        return len(ids)

    score(featurize(1))
    assert mltrace.flush(10)
    runs = api.get("/api/v1/runs").get_json()["runs"]
    assert [r["component"] for r in runs] == ["score", "featurize"]
    assert [o["name"] for o in runs[0]["outputs"]] == ["pred-0", "pred-1", "pred-2"]
    assert {o["type"] for o in runs[0]["outputs"]} == {"endpoint"}
    assert runs[0]["dependencies"] == [runs[1]["id"]]
    detail = api.get(f"/api/v1/runs/{runs[1]['id']}").get_json()
    assert "def featurize(day: int)" in detail["code_snapshot"]
    assert detail["duration_ms"] >= 0 and detail["status"] == "success"
