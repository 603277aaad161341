"""Search (command-bar completion) and health."""

from __future__ import annotations

import mltrace
from tests.server.sample import Pipeline, assert_error


def test_search_completes_components_tags_outputs_and_run_ids(api, pipeline: Pipeline):
    results = api.get("/api/v1/search?q=tra").get_json()["results"]
    assert {"kind": "component", "value": "train", "label": "train"} in results
    outputs = api.get("/api/v1/search?q=pred/").get_json()["results"]
    assert {r["value"] for r in outputs if r["kind"] == "output"} >= {"pred/1", "pred/2", "pred/3"}
    tags = api.get("/api/v1/search?q=team").get_json()["results"]
    assert {"kind": "tag", "value": "team/data", "label": "team/data"} in tags
    runs = api.get(f"/api/v1/search?q={pipeline.train}").get_json()["results"]
    assert {"kind": "run", "value": str(pipeline.train), "label": f"run {pipeline.train} (train)"} in runs
    assert len(api.get("/api/v1/search?q=&limit=2").get_json()["results"]) == 2
    assert api.get("/api/v1/search?q=zzz").get_json() == {"results": []}
    assert_error(api.get("/api/v1/search?q=a&limit=0"), 400, "validation_error")


def test_health_reports_version_and_database(api, db_uri):
    body = api.get("/api/v1/health").get_json()
    assert body == {
        "status": "ok",
        "version": mltrace.__version__,
        "database": "sqlite" if db_uri.startswith("sqlite") else "postgresql",
    }


def test_health_is_503_in_the_error_shape_when_the_database_is_down(tmp_path, mltrace_home):
    from mltrace.server.app import create_app

    app = create_app({"DB_URI": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"})
    assert_error(app.test_client().get("/api/v1/health"), 503, "internal")
