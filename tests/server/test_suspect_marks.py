"""Suspect marks over HTTP: what a flag or a failed test upstream makes suspect, in trace, inspect and recent."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from mltrace.client import Client
from mltrace.db.suspect_queries import MAX_HOPS
from tests.factories import run

FAILED_TEST = [{"test": "Rows", "name": "test_has_rows", "phase": "after", "passed": False, "error": "empty"}]


def stored(store: Client, ingest_tests: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """train → model.pkl; ingest → batch.csv → clean → clean.csv → predict (with the model) → pred/a; and an
    unrelated step. Run ids by component."""
    runs = [
        run("train", 0, inputs=[("history.csv", "h0")], outputs=[("model.pkl", "m1")]),
        run(
            "ingest",
            10,
            inputs=[("raw/batch.csv", "r1")],
            outputs=[("batch.csv", "b1")],
            test_results=ingest_tests or [],
        ),
        run("clean", 20, inputs=[("batch.csv", "b1")], outputs=[("clean.csv", "c1")]),
        run("predict", 30, inputs=[("clean.csv", "c1"), ("model.pkl", "m1")], outputs=[("pred/a", "p1")]),
        run("other", 40, inputs=[("elsewhere.csv", "e1")], outputs=[("other.csv", "o1")]),
    ]
    return dict(zip([r.component_name for r in runs], store.ingest(runs), strict=True))


def listed_marks(api: FlaskClient, ids: dict[str, int]) -> dict[str, list[dict[str, str]]]:
    """Each run's marks from `GET /runs?ids=`."""
    body = api.get("/api/v1/runs?ids=" + ",".join(map(str, ids.values()))).get_json()
    return {r["component"]: r["suspect"] for r in body["runs"]}


def trace_marks(api: FlaskClient, output_id: str, direction: str = "upstream") -> dict[str, list[dict[str, str]]]:
    """Each node's marks in the trace of `output_id`, by node id."""
    response = api.get("/api/v1/trace", query_string={"output_id": output_id, "direction": direction})
    assert response.status_code == 200, response.get_json()
    return {node["id"]: node["suspect"] for node in response.get_json()["nodes"]}


def test_a_flag_marks_the_runs_and_outputs_downstream_with_its_reason_and_nothing_else(
    api: FlaskClient, store: Client
) -> None:
    ids = stored(store)
    store.flag("batch.csv", "rows in Fahrenheit")
    mark = {"reason": "downstream of flagged output 'batch.csv': rows in Fahrenheit", "source": "output:batch.csv"}
    assert listed_marks(api, ids) == {"train": [], "ingest": [], "clean": [mark], "predict": [mark], "other": []}
    marks = trace_marks(api, "pred/a")
    assert marks == {
        "pointer:pred/a": [mark],
        f"run:{ids['predict']}": [mark],
        f"run:{ids['clean']}": [mark],
        f"run:{ids['ingest']}": [],
        f"run:{ids['train']}": [],
        "pointer:clean.csv": [mark],
        "pointer:batch.csv": [],  # flagged, not suspect
        "pointer:model.pkl": [],
        "pointer:raw/batch.csv": [],
        "pointer:history.csv": [],
    }
    assert trace_marks(api, "batch.csv", "downstream") == {
        "pointer:batch.csv": [],
        f"run:{ids['clean']}": [mark],
        f"run:{ids['predict']}": [mark],
        "pointer:clean.csv": [mark],
        "pointer:pred/a": [mark],
    }


def test_unflag_clears_the_marks_the_flag_caused(api: FlaskClient, store: Client) -> None:
    ids = stored(store)
    store.flag("clean.csv")
    assert listed_marks(api, ids)["predict"] == [
        {"reason": "downstream of flagged output 'clean.csv'", "source": "output:clean.csv"}
    ]
    assert api.delete("/api/v1/flags/clean.csv").status_code == 200
    assert all(marks == [] for marks in listed_marks(api, ids).values())
    assert all(marks == [] for marks in trace_marks(api, "pred/a").values())


def test_a_failed_test_marks_what_the_run_wrote_and_everything_after_but_not_the_run(
    api: FlaskClient, store: Client
) -> None:
    ids = stored(store, FAILED_TEST)
    mark = {
        "reason": f"downstream of run {ids['ingest']} (ingest), whose test test_has_rows failed",
        "source": f"run:{ids['ingest']}",
    }
    assert listed_marks(api, ids) == {"train": [], "ingest": [], "clean": [mark], "predict": [mark], "other": []}
    marks = trace_marks(api, "pred/a")
    assert marks["pointer:batch.csv"] == marks["pointer:clean.csv"] == marks["pointer:pred/a"] == [mark]
    assert marks[f"run:{ids['ingest']}"] == marks["pointer:model.pkl"] == marks["pointer:raw/batch.csv"] == []


def test_a_flag_and_a_failed_test_upstream_give_one_mark_each(api: FlaskClient, store: Client) -> None:
    ids = stored(store, FAILED_TEST)
    store.flag("model.pkl", "trained on last year")
    sources = [m["source"] for m in listed_marks(api, ids)["predict"]]
    assert sources == ["output:model.pkl", f"run:{ids['ingest']}"]  # flags first, then runs


def test_recent_inspect_and_trace_give_every_run_the_same_marks(api: FlaskClient, store: Client) -> None:
    ids = stored(store, FAILED_TEST)
    store.flag("clean.csv", "duplicated rows")
    recent = {r["id"]: r["suspect"] for r in api.get("/api/v1/runs?limit=10").get_json()["runs"]}
    inspected = {i: api.get(f"/api/v1/runs/{i}").get_json()["suspect"] for i in ids.values()}
    traced = {int(node_id[4:]): m for node_id, m in trace_marks(api, "pred/a").items() if node_id.startswith("run:")}
    assert recent == inspected and {i: recent[i] for i in traced} == traced
    assert [m["source"] for m in inspected[ids["predict"]]] == ["output:clean.csv", f"run:{ids['ingest']}"]
    assert inspected[ids["other"]] == inspected[ids["train"]] == []


def test_client_suspicions_leave_out_runs_that_are_not_suspect(store: Client) -> None:
    ids = stored(store, FAILED_TEST)
    found = store.suspicions(list(ids.values()) + [10**6])
    assert set(found) == {ids["ingest"], ids["clean"], ids["predict"]}
    assert found[ids["ingest"]].run == () and [m.source for m in found[ids["ingest"]].outputs] == [
        f"run:{ids['ingest']}"
    ]


def test_inspect_looks_at_most_max_hops_runs_up_and_a_full_upstream_trace_at_all(
    api: FlaskClient, store: Client
) -> None:
    length = MAX_HOPS + 3
    chain = [run("step", 10 * i, inputs=[f"c/{i}"] if i else [], outputs=[f"c/{i + 1}"]) for i in range(length)]
    ids = store.ingest(chain)
    store.flag("c/1")  # read by ids[1]
    mark = [{"reason": "downstream of flagged output 'c/1'", "source": "output:c/1"}]
    inspected = {i: api.get(f"/api/v1/runs/{i}").get_json()["suspect"] for i in (ids[0], ids[MAX_HOPS + 1], ids[-1])}
    assert inspected == {ids[0]: [], ids[MAX_HOPS + 1]: mark, ids[-1]: []}  # MAX_HOPS runs up, and no further
    listed = {r["id"]: r["suspect"] for r in api.get(f"/api/v1/runs?limit={length}").get_json()["runs"]}
    assert all(listed[i] == mark for i in ids[1:])  # each run shown is looked up from
    traced = trace_marks(api, f"c/{length}")
    assert traced[f"run:{ids[-1]}"] == traced[f"pointer:c/{length}"] == mark
