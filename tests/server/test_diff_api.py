"""`GET /diff` over HTTP: the ranked differences of two outputs' traces, and errors in the usual shape."""

from __future__ import annotations

from urllib.parse import urlencode

from mltrace.client import Client
from tests.diff_pipelines import pipeline, train
from tests.server.sample import assert_error

PAIR_KEYS = {"a_run_id", "b_run_id", "component", "depth", "shared"}
DIFFERENCE_KEYS = {
    "rank",
    "kind",
    "component",
    "depth",
    "a_run_id",
    "b_run_id",
    "key",
    "a",
    "b",
    "change",
    "explained_by",
    "code_diff",
}


def test_diff_answers_the_aligned_traces_with_the_planted_raw_batch_first(api, store: Client) -> None:
    ids = store.ingest([train(0), *pipeline("a", 100, raw="r1"), *pipeline("b", 200, raw="r2")])
    response = api.get("/api/v1/diff?" + urlencode({"a": "pred/a", "b": "pred/b"}))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"a", "b", "identical", "pairs", "only_a", "only_b", "differences"}
    assert (body["a"], body["b"], body["identical"]) == ("pred/a", "pred/b", False)
    assert body["only_a"] == body["only_b"] == []
    assert all(set(pair) == PAIR_KEYS for pair in body["pairs"])
    assert {(p["component"], p["a_run_id"], p["b_run_id"], p["shared"]) for p in body["pairs"]} == {
        ("train", ids[0], ids[0], True),
        ("ingest", ids[1], ids[4], False),
        ("clean", ids[2], ids[5], False),
        ("predict", ids[3], ids[6], False),
    }
    assert all(set(d) == DIFFERENCE_KEYS for d in body["differences"])
    assert [d["rank"] for d in body["differences"]] == list(range(1, len(body["differences"]) + 1))
    top = body["differences"][0]
    assert top == {
        "rank": 1,
        "kind": "raw_input",
        "component": "ingest",
        "depth": 2,
        "a_run_id": ids[1],
        "b_run_id": ids[4],
        "key": "raw/batch.csv",
        "a": {"name": "raw/batch.csv", "value_hash": "r1"},
        "b": {"name": "raw/batch.csv", "value_hash": "r2"},
        "change": "changed",
        "explained_by": None,
        "code_diff": None,
    }
    assert {d["explained_by"] for d in body["differences"][1:]} == {1}


def test_diff_of_an_output_with_itself_is_identical(api, store: Client) -> None:
    store.ingest([train(0), *pipeline("a", 100)])
    body = api.get("/api/v1/diff?a=pred/a&b=pred/a").get_json()
    assert body["identical"] is True and body["differences"] == []
    assert all(pair["shared"] for pair in body["pairs"])


def test_an_unknown_output_is_a_404_in_the_error_shape(api, store: Client) -> None:
    store.ingest([train(0), *pipeline("a", 100)])
    assert_error(api.get("/api/v1/diff?a=pred/a&b=pred/nothing"), 404, "not_found")
    assert_error(api.get("/api/v1/diff?a=nothing&b=pred/a"), 404, "not_found")


def test_a_missing_or_empty_output_argument_is_a_400(api) -> None:
    for query in ("a=pred/a", "b=pred/a", "", "a=&b=pred/a", "a=x&b=y&c=z"):
        error = assert_error(api.get(f"/api/v1/diff?{query}"), 400, "validation_error")
        assert error["details"]
