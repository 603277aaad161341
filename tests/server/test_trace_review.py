"""Trace (lineage graphs) and review (suspicion ranking) over HTTP."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.server.sample import ODD_IDS, Pipeline, assert_error

RUN_NODE_KEYS = {"id", "kind", "run_id", "component", "start", "end", "status", "stale", "suspect"}
POINTER_NODE_KEYS = {"id", "kind", "name", "type", "flagged", "suspect"}


def trace(api, output_id: str, **args: object) -> dict:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = api.get(f"/api/v1/trace?output_id={quote(output_id, safe='')}&{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_upstream_trace_follows_the_path_back_to_the_sources(api, pipeline: Pipeline):
    graph = trace(api, "pred/1")
    assert graph["root"] == "pointer:pred/1" and graph["direction"] == "upstream"
    p = pipeline
    assert {n["id"] for n in graph["nodes"]} == {
        "pointer:pred/1",
        f"run:{p.predict}",
        "pointer:models/model.pkl",
        f"run:{p.train}",
        "pointer:data/clean.csv",
        f"run:{p.clean}",
        "pointer:data/raw.csv",
        f"run:{p.ingest}",
    }
    assert {(e["source"], e["target"]) for e in graph["edges"]} == {
        (f"run:{p.predict}", "pointer:pred/1"),
        ("pointer:models/model.pkl", f"run:{p.predict}"),
        (f"run:{p.train}", "pointer:models/model.pkl"),
        ("pointer:data/clean.csv", f"run:{p.train}"),
        (f"run:{p.clean}", "pointer:data/clean.csv"),
        ("pointer:data/raw.csv", f"run:{p.clean}"),
        (f"run:{p.ingest}", "pointer:data/raw.csv"),
    }
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert nodes[f"run:{p.train}"] == {
        "id": f"run:{p.train}",
        "kind": "run",
        "run_id": p.train,
        "component": "train",
        "start": "2026-01-01T00:00:20.000000+00:00",
        "end": "2026-01-01T00:00:22.500000+00:00",
        "status": "success",
        "stale": [],
        "suspect": [],
    }
    assert nodes["pointer:models/model.pkl"] == {
        "id": "pointer:models/model.pkl",
        "kind": "pointer",
        "name": "models/model.pkl",
        "type": "model",
        "flagged": False,
        "suspect": [],
    }
    for node in graph["nodes"]:
        assert set(node) == (RUN_NODE_KEYS if node["kind"] == "run" else POINTER_NODE_KEYS)


def test_upstream_trace_depth_counts_runs_and_run_id_picks_the_start(api, pipeline: Pipeline):
    producer_only = trace(api, "pred/1", depth=1)
    assert sorted(n["id"] for n in producer_only["nodes"] if n["kind"] == "run") == [f"run:{pipeline.predict}"]

    def runs(graph: dict) -> set[int]:
        return {n["run_id"] for n in graph["nodes"] if n["kind"] == "run"}

    assert runs(trace(api, "models/model.pkl")) == {pipeline.retrain, pipeline.clean, pipeline.ingest}  # latest
    assert runs(trace(api, "models/model.pkl", run_id=pipeline.train)) == {
        pipeline.train,
        pipeline.clean,
        pipeline.ingest,
    }
    failed = trace(api, "pred/3")
    run = next(n for n in failed["nodes"] if n.get("run_id") == pipeline.predict2)
    assert run["status"] == "failed"
    assert len(run["stale"]) == 1 and f"run {pipeline.train}" in run["stale"][0]


def test_downstream_trace_follows_the_readers(api, pipeline: Pipeline):
    graph = trace(api, "data/clean.csv", direction="downstream", depth=1)
    assert graph["direction"] == "downstream" and graph["root"] == "pointer:data/clean.csv"
    assert sorted(n["run_id"] for n in graph["nodes"] if n["kind"] == "run") == [pipeline.train, pipeline.retrain]
    assert ("pointer:data/clean.csv", f"run:{pipeline.train}") in {(e["source"], e["target"]) for e in graph["edges"]}
    everything = trace(api, "data/clean.csv", direction="downstream")
    assert {n["run_id"] for n in everything["nodes"] if n["kind"] == "run"} == {
        pipeline.train,
        pipeline.retrain,
        pipeline.predict,
        pipeline.predict2,
    }


def test_trace_marks_flagged_pointers_and_rejects_unknowns(api, pipeline: Pipeline):
    api.put("/api/v1/flags/pred%2F1")
    assert next(n for n in trace(api, "pred/1")["nodes"] if n["id"] == "pointer:pred/1")["flagged"] is True
    assert_error(api.get("/api/v1/trace?output_id=nope"), 404, "not_found")
    assert_error(api.get("/api/v1/trace?output_id=pred/1&run_id=424242"), 404, "not_found")
    assert_error(api.get("/api/v1/trace?output_id=pred/1&direction=both"), 400, "validation_error")


@pytest.mark.parametrize("output_id", ODD_IDS)
def test_odd_output_ids_round_trip_through_flag_trace_and_unflag(api, pipeline: Pipeline, output_id: str):
    path = "/api/v1/flags/" + quote(output_id, safe="")
    assert api.put(path, json={"reason": "odd"}).get_json()["name"] == output_id
    graph = trace(api, output_id)
    assert graph["root"] == f"pointer:{output_id}"
    root = next(n for n in graph["nodes"] if n["id"] == graph["root"])
    assert (root["name"], root["flagged"]) == (output_id, True)
    assert api.get("/api/v1/review").get_json()["flagged"] == [output_id]
    unflagged = api.delete(path).get_json()
    assert (unflagged["name"], unflagged["flagged"]) == (output_id, False)
    assert api.get("/api/v1/flags").get_json() == {"flags": []}


def test_review_ranks_the_run_behind_only_the_bad_outputs_first(api, pipeline: Pipeline):
    api.put("/api/v1/flags/pred%2F1")
    api.put("/api/v1/flags/pred%2F3")
    body = api.get("/api/v1/review").get_json()
    assert sorted(body["flagged"]) == ["pred/1", "pred/3"]
    ranked = [(r["id"], r["count"], r["coverage"], round(r["score"], 4)) for r in body["runs"]]
    assert ranked[:4] == [
        (pipeline.predict2, 1, 0.5, 0.7071),  # upstream of pred/3 and of no good output
        (pipeline.train, 2, 1.0, 0.5),  # upstream of both, but of 6 good predictions too; ties: later start first
        (pipeline.clean, 2, 1.0, 0.5),
        (pipeline.ingest, 2, 1.0, 0.5),
    ]
    assert pipeline.retrain not in [r["id"] for r in body["runs"]]
    first = body["runs"][0]
    assert first["component"] == "predict" and first["status"] == "failed" and first["stale"]
    assert {"inputs", "outputs", "duration_ms", "warnings"} <= set(first)
    assert len(api.get("/api/v1/review?limit=2").get_json()["runs"]) == 2


def test_review_without_flags_is_empty(api, pipeline: Pipeline):
    assert api.get("/api/v1/review").get_json() == {"flagged": [], "runs": []}
