"""Components, their history, and tags."""

from __future__ import annotations

from urllib.parse import quote

from tests.server.sample import Pipeline, assert_error, record


def test_components_lists_every_component_and_filters_by_tag_and_owner(api, pipeline: Pipeline):
    body = api.get("/api/v1/components").get_json()
    assert [c["name"] for c in body["components"]] == ["clean", "ingest", "predict", "train"]
    assert body["components"][1] == {
        "name": "ingest",
        "owner": "ana",
        "description": "Pulls raw data",
        "tags": ["etl", "team/data"],
    }
    by_tag = api.get("/api/v1/components?tag=etl").get_json()["components"]
    assert [c["name"] for c in by_tag] == ["clean", "ingest"]
    by_owner = api.get("/api/v1/components?owner=bo").get_json()["components"]
    assert [c["name"] for c in by_owner] == ["predict", "train"]
    both = api.get("/api/v1/components?tag=ml&owner=bo").get_json()["components"]
    assert [c["name"] for c in both] == ["train"]
    assert api.get("/api/v1/components?tag=nope").get_json() == {"components": []}
    assert len(api.get("/api/v1/components?tag=&owner=").get_json()["components"]) == 4  # empty means no filter


def test_component_answers_one_component_or_404(api, pipeline: Pipeline):
    assert api.get("/api/v1/components/train").get_json() == {
        "name": "train",
        "owner": "bo",
        "description": "",
        "tags": ["ml"],
    }
    assert_error(api.get("/api/v1/components/nope"), 404, "not_found")


def test_history_lists_a_components_runs_newest_first(api, pipeline: Pipeline):
    body = api.get("/api/v1/components/train/runs").get_json()
    assert body["component"] == "train"
    assert [r["id"] for r in body["runs"]] == [pipeline.retrain, pipeline.train]
    assert body["runs"][1]["params"] == {"lr": 0.1}
    assert "code_snapshot" not in body["runs"][1]
    assert [r["id"] for r in api.get("/api/v1/components/train/runs?limit=1").get_json()["runs"]] == [pipeline.retrain]
    assert_error(api.get("/api/v1/components/nope/runs"), 404, "not_found")
    assert_error(api.get("/api/v1/components/train/runs?limit=0"), 400, "validation_error")


def test_history_filters_on_start_time_since_inclusive_until_exclusive(api, pipeline: Pipeline):
    def ids(query: str) -> list[int]:
        response = api.get(f"/api/v1/components/train/runs?{query}")
        assert response.status_code == 200, response.get_json()
        return [r["id"] for r in response.get_json()["runs"]]

    assert ids("since=2026-01-01T00:00:20Z") == [pipeline.retrain, pipeline.train]
    assert ids("since=2026-01-01T00:00:20.000001") == [pipeline.retrain]  # naive means UTC
    assert ids("until=2026-01-01T00:00:40%2B00:00") == [pipeline.train]
    assert ids("since=2026-01-01T01:00:20%2B01:00&until=2026-01-01T00:00:40.000001Z") == [
        pipeline.retrain,
        pipeline.train,
    ]
    assert ids("since=2026-01-02") == []
    error = assert_error(api.get("/api/v1/components/train/runs?since=last+tuesday"), 400, "validation_error")
    assert "since" in error["details"]


def test_component_names_with_slashes_and_spaces_work_in_paths(api, store):
    store.ingest([record("team/feature prep", 0, [], ["x.csv"])])
    name = quote("team/feature prep", safe="")
    assert api.get(f"/api/v1/components/{name}").get_json()["name"] == "team/feature prep"
    body = api.get(f"/api/v1/components/{name}/runs").get_json()
    assert body["component"] == "team/feature prep" and len(body["runs"]) == 1


def test_tags_lists_every_tag(api, pipeline: Pipeline):
    assert api.get("/api/v1/tags").get_json() == {"tags": ["etl", "ml", "team/data"]}


def test_tag_components_lists_components_with_their_recent_runs(api, store, pipeline: Pipeline):
    store.ingest([record("clean", 100 + i) for i in range(6)])
    body = api.get("/api/v1/tags/etl/components").get_json()
    assert body["tag"] == "etl"
    assert [c["name"] for c in body["components"]] == ["clean", "ingest"]
    clean, ingest = body["components"]
    assert clean["owner"] == "ana" and clean["tags"] == ["etl"]
    assert len(clean["recent_runs"]) == 5
    assert clean["recent_runs"][0]["start"] == "2026-01-01T00:01:45.000000+00:00"
    assert [r["id"] for r in ingest["recent_runs"]] == [pipeline.ingest]
    slashed = api.get(f"/api/v1/tags/{quote('team/data', safe='')}/components").get_json()
    assert [c["name"] for c in slashed["components"]] == ["ingest"]
    assert_error(api.get("/api/v1/tags/nope/components"), 404, "not_found")
