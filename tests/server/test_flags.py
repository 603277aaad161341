"""Flags: flag, unflag (idempotent), list; odd output ids in paths."""

from __future__ import annotations

from urllib.parse import quote

from tests.server.sample import ODD_IDS, Pipeline, assert_error


def flag_url(output_id: str) -> str:
    return "/api/v1/flags/" + quote(output_id, safe="")


def test_flag_marks_an_output_with_its_reason(api, pipeline: Pipeline):
    response = api.put(flag_url("pred/1"), json={"reason": "label was 0"})
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("name", "type", "flagged", "flag_reason")} == {
        "name": "pred/1",
        "type": "endpoint",
        "flagged": True,
        "flag_reason": "label was 0",
    }
    assert body["flagged_at"].endswith("+00:00")
    assert api.get("/api/v1/flags").get_json() == {
        "flags": [{"output_id": "pred/1", "reason": "label was 0", "flagged_at": body["flagged_at"]}]
    }
    run = api.get(f"/api/v1/runs/{pipeline.predict}").get_json()
    assert [o["flagged"] for o in run["outputs"] if o["name"] == "pred/1"] == [True]


def test_flag_body_is_optional(api, pipeline: Pipeline):
    response = api.put(flag_url("pred/2"))
    assert response.status_code == 200
    assert response.get_json()["flagged"] is True and response.get_json()["flag_reason"] is None
    assert api.put(flag_url("pred/2"), json={}).status_code == 200
    assert api.put(flag_url("pred/2"), json={"reason": None}).status_code == 200


def test_unflag_clears_a_flag_and_is_idempotent(api, pipeline: Pipeline):
    api.put(flag_url("pred/1"), json={"reason": "bad"})
    for _ in range(2):
        response = api.delete(flag_url("pred/1"))
        assert response.status_code == 200
        assert response.get_json()["flagged"] is False
        assert response.get_json()["flag_reason"] is None and response.get_json()["flagged_at"] is None
    assert api.get("/api/v1/flags").get_json() == {"flags": []}


def test_flags_of_never_logged_outputs_are_404(api, pipeline: Pipeline):
    assert_error(api.put(flag_url("never/logged"), json={"reason": "x"}), 404, "not_found")
    assert_error(api.delete(flag_url("never/logged")), 404, "not_found")
    assert api.get("/api/v1/flags").get_json() == {"flags": []}


def test_flag_rejects_bad_bodies(api, pipeline: Pipeline):
    assert_error(api.put(flag_url("pred/1"), json={"reason": 5}), 400, "validation_error")
    assert_error(api.put(flag_url("pred/1"), json={"why": "x"}), 400, "validation_error")
    assert_error(api.put(flag_url("pred/1"), data="{", content_type="application/json"), 400, "bad_request")
    assert api.get("/api/v1/flags").get_json() == {"flags": []}


def test_odd_output_ids_round_trip_through_flag_list_and_unflag(api, pipeline: Pipeline):
    for output_id in ODD_IDS:
        response = api.put(flag_url(output_id), json={"reason": f"bad {output_id}"})
        assert response.status_code == 200, (output_id, response.get_json())
        assert response.get_json()["name"] == output_id
    listed = {f["output_id"]: f["reason"] for f in api.get("/api/v1/flags").get_json()["flags"]}
    assert listed == {output_id: f"bad {output_id}" for output_id in ODD_IDS}
    for output_id in ODD_IDS:
        response = api.delete(flag_url(output_id))
        assert response.status_code == 200 and response.get_json()["name"] == output_id
    assert api.get("/api/v1/flags").get_json() == {"flags": []}


def test_ids_with_nul_characters_are_rejected_not_crashed_on(api, pipeline: Pipeline):
    assert_error(api.put(flag_url("pred\x00/1")), 400, "bad_request")
    assert_error(api.get("/api/v1/search?q=a%00b"), 400, "bad_request")
