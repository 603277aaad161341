"""A live `mltrace serve` on each database answers a client's mistakes with 4xx in the error shape, never 500,
and stores nothing of a batch it refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from mltrace.entities.limits import MAX_POINTER_NAME_BYTES
from tests.conftest import fresh_database
from tests.server.live import LiveServer, live_server

pytestmark = pytest.mark.xdist_group("live-server")

MAX_BODY = 2_000_000
MAX_RUNS = 20
MAX_SEARCH = 100
CODE_MAX = 1000
LIMITS = {
    "MLTRACE_MAX_BODY_BYTES": str(MAX_BODY),
    "MLTRACE_MAX_RUNS_PER_POST": str(MAX_RUNS),
    "MLTRACE_MAX_SEARCH_CHARS": str(MAX_SEARCH),
    "MLTRACE_CODE_SNAPSHOT_MAX": str(CODE_MAX),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server with small limits, on SQLite and on PostgreSQL, holding one run that writes `known.csv`."""
    folder = tmp_path_factory.mktemp(f"bad-input-{request.param}")
    with fresh_database(request, folder) as uri, live_server(uri, folder, LIMITS) as live:
        known = run("known", outputs=[{"name": "known.csv"}])
        assert live.call("POST", "/api/v1/runs", {"runs": [known]}).status == 200
        yield live


_serial = iter(range(10**9))


def run(component: str | None = None, **fields: Any) -> dict[str, Any]:
    """A valid run record as JSON; `component` defaults to a name no other test uses."""
    record: dict[str, Any] = {
        "component": component or f"c{next(_serial)}",
        "start": "2026-01-01T00:00:00+00:00",
        "end": "2026-01-01T00:00:01+00:00",
        "outputs": [{"name": f"out/{next(_serial)}"}],
    }
    record.update(fields)
    return record


def refused(server: LiveServer, bad: dict[str, Any], status: int = 400, code: str = "validation_error") -> dict:
    """Posts a good run then `bad`: the batch is refused with this status and code, and the good run is not stored.
    Returns the error's details for run 1."""
    good = run()
    answer = server.call("POST", "/api/v1/runs", {"runs": [good, bad]})
    assert answer.status == status, answer.raw[:500]
    error = answer.error
    assert error["code"] == code
    assert server.call("GET", f"/api/v1/components/{good['component']}").status == 404, "half a batch was stored"
    return error["details"].get("runs", {}).get("1", {})


def get(server: LiveServer, path: str, **args: Any) -> Any:
    return server.call("GET", f"{path}?{urlencode(args)}" if args else path)


# --- the cases that answered 500 ------------------------------------------------------------------------------


def test_a_trace_depth_beyond_64_bits_is_a_validation_error(server: LiveServer):
    for depth in (2**63, 2**63 - 1, 10**30):
        answer = get(server, "/api/v1/trace", output_id="known.csv", depth=depth)
        assert answer.status == 400 and answer.error["code"] == "validation_error", answer.raw
        assert "depth" in answer.error["details"]
    assert get(server, "/api/v1/trace", output_id="known.csv", depth=1_000_000).status == 200


def test_history_bounds_beyond_the_years_1_to_9999_in_utc_stand_for_the_first_and_last_times(server: LiveServer):
    early, late = "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"  # year 0 and year 10000 in UTC
    path = "/api/v1/components/known/runs"
    assert len(get(server, path, since=early).json["runs"]) == 1
    assert get(server, path, until=early).json["runs"] == []
    assert get(server, path, since=late).json["runs"] == []
    assert len(get(server, path, until=late).json["runs"]) == 1
    for edge in ("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999+00:00"):
        assert get(server, path, since=edge).status == 200 and get(server, path, until=edge).status == 200


def test_every_text_of_the_cursors_pattern_is_a_cursor(server: LiveServer):
    newest = get(server, "/api/v1/runs", limit=500).json["runs"]
    assert get(server, "/api/v1/runs", limit=500, before="999999999999999999.9999999999").json["runs"] == newest
    assert get(server, "/api/v1/runs", before="0.0").json == {"runs": [], "next": None}
    for bad in ("", "1.", ".1", "1.2.3", "1234567890123456789.1", "MjAyNnwx"):
        answer = get(server, "/api/v1/runs", before=bad)
        assert answer.status == 400 and "before" in answer.error["details"], bad


def test_a_start_with_an_odd_offset_is_stored_at_the_same_instant_in_utc(server: LiveServer):
    record = run(start="2026-01-01T00:00:00-22:32", end="2026-01-01T00:00:01-22:32")
    assert server.call("POST", "/api/v1/runs", {"runs": [record]}).json == {"ingested": 1}
    stored = get(server, f"/api/v1/components/{record['component']}/runs").json["runs"][0]
    assert (stored["start"], stored["end"]) == ("2026-01-01T22:32:00.000000+00:00", "2026-01-01T22:32:01.000000+00:00")


def test_a_run_in_year_0_in_utc_is_refused_naming_its_time(server: LiveServer):
    details = refused(server, run(start="0001-01-01T00:00:00+14:00", end="0001-01-01T12:00:00+14:00"))
    assert "start" in details
    details = refused(server, run(start="9999-12-31T10:00:00-14:00", end="9999-12-31T11:00:00-14:00"))
    assert "start" in details and "end" in details
    assert get(server, "/api/v1/runs", limit=500).status == 200


LONE = "\ud800"


@pytest.mark.parametrize(
    ("field", "record"),
    [
        ("component", {"component": f"a{LONE}b"}),
        ("notes", {"notes": LONE}),
        ("error", {"status": "failed", "error": f"boom{LONE}"}),
        ("outputs", {"outputs": [{"name": f"out/{LONE}"}]}),
        ("inputs", {"inputs": [{"name": f"in/{LONE}", "value_hash": "v"}]}),
        ("params", {"params": {LONE: 1}}),
        ("params", {"params": {"lr": [LONE]}}),
        ("metrics", {"metrics": {"auc": {"x": LONE}}}),
        ("test_results", {"test_results": [{"name": LONE}]}),
        ("git_tags", {"git_tags": [LONE]}),
        ("component_tags", {"component_tags": [LONE]}),
        ("component_description", {"component_description": LONE}),
        ("code_snapshot", {"code_snapshot": LONE}),
        ("warnings", {"warnings": [LONE]}),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_lone_surrogates_in_a_run_are_refused_naming_the_field(server, field, record):
    details = refused(server, run(**record))
    assert field in details, details


def test_lone_surrogates_in_notes_and_flag_reasons_are_validation_errors(server: LiveServer):
    run_id = get(server, "/api/v1/components/known/runs").json["runs"][0]["id"]
    answer = server.call("PUT", f"/api/v1/runs/{run_id}/notes", {"notes": f"x{LONE}"})
    assert answer.status == 400 and answer.error["code"] == "validation_error" and "notes" in answer.error["details"]
    answer = server.call("PUT", "/api/v1/flags/known.csv", {"reason": LONE})
    assert answer.status == 400 and answer.error["code"] == "validation_error" and "reason" in answer.error["details"]
    assert get(server, "/api/v1/flags").json == {"flags": []}
    assert get(server, f"/api/v1/runs/{run_id}").json["notes"] == ""


def nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def test_params_nested_500_levels_are_refused_naming_the_field(server: LiveServer):
    assert "params" in refused(server, run(params={"deep": nested(500)}))
    assert "test_results" in refused(server, run(test_results=[{"deep": nested(500)}]))


def test_a_body_nested_too_deeply_for_the_json_parser_is_a_bad_request(server: LiveServer):
    data = b'{"runs": [{"params": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}]}"
    answer = server.call("POST", "/api/v1/runs", data=data)
    assert answer.status == 400 and answer.error["code"] == "bad_request"


def test_a_1_mb_output_name_is_refused_on_both_databases(server: LiveServer):
    details = refused(server, run(outputs=[{"name": "x" * 1_000_000}]))
    assert "outputs" in details and "bytes" in str(details)
    details = refused(server, run(outputs=[{"name": "é" * (MAX_POINTER_NAME_BYTES // 2 + 1)}]))
    assert "outputs" in details
    longest = "x" * MAX_POINTER_NAME_BYTES
    assert server.call("POST", "/api/v1/runs", {"runs": [run(outputs=[{"name": longest}])]}).status == 200
    assert get(server, "/api/v1/trace", output_id=longest).status == 200


def test_names_longer_than_the_documented_limits_are_refused_on_both_databases(server: LiveServer):
    assert "component" in refused(server, run(component="x" * 256))
    assert "component_owner" in refused(server, run(component_owner="x" * 256))
    assert "component_tags" in refused(server, run(component_tags=["x" * 256]))
    assert "outputs" in refused(server, run(outputs=[{"name": "o", "value_hash": "x" * 129}]))
    assert "code_hash" in refused(server, run(code_hash="x" * 65))
    assert "key" in refused(server, run(key="x" * 65))
    assert "outputs" in refused(server, run(outputs=[{"name": ""}]))


def test_a_run_that_ends_before_it_starts_is_refused(server: LiveServer):
    details = refused(server, run(start="2026-01-01T00:00:02+00:00", end="2026-01-01T00:00:01+00:00"))
    assert "end" in details


def test_upstream_ids_must_name_stored_runs(server: LiveServer):
    details = refused(server, run(upstream=[987654]))
    assert details == ["upstream run 987654 not found"]
    known = get(server, "/api/v1/components/known/runs").json["runs"][0]["id"]
    record = run(upstream=[known])
    assert server.call("POST", "/api/v1/runs", {"runs": [record]}).json == {"ingested": 1}
    stored = get(server, f"/api/v1/components/{record['component']}/runs").json["runs"][0]
    assert stored["dependencies"] == [known]


# --- limits -----------------------------------------------------------------------------------------------------


def test_a_body_over_the_size_limit_is_413_too_large(server: LiveServer):
    records = [run(notes="n" * 400_000) for _ in range(6)]
    answer = server.call("POST", "/api/v1/runs", {"runs": records})
    assert answer.status == 413 and answer.error["code"] == "too_large"
    assert answer.error["details"] == {"max_body_bytes": MAX_BODY}
    assert get(server, f"/api/v1/components/{records[0]['component']}").status == 404


def test_a_chunked_body_over_the_size_limit_is_413_too_large(server: LiveServer):
    chunk = b"x" * 100_000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(25)) + b"0\r\n\r\n"
    head = b"POST /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    answer = server.raw(head + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
    assert answer.status == 413 and answer.error["code"] == "too_large"


def test_more_runs_than_a_post_may_carry_is_413_too_large(server: LiveServer):
    records = [run() for _ in range(MAX_RUNS + 1)]
    answer = server.call("POST", "/api/v1/runs", {"runs": records})
    assert answer.status == 413 and answer.error["code"] == "too_large"
    assert answer.error["details"] == {"runs": MAX_RUNS + 1, "max_runs_per_post": MAX_RUNS}
    assert get(server, f"/api/v1/components/{records[0]['component']}").status == 404
    assert server.call("POST", "/api/v1/runs", {"runs": records[:MAX_RUNS]}).json == {"ingested": MAX_RUNS}


def test_a_code_snapshot_over_the_servers_limit_is_stored_cut_and_marked(server: LiveServer):
    record = run(code_snapshot="é" * CODE_MAX, code_hash="h" * 64)
    assert server.call("POST", "/api/v1/runs", {"runs": [record]}).json == {"ingested": 1}
    run_id = get(server, f"/api/v1/components/{record['component']}/runs").json["runs"][0]["id"]
    stored = get(server, f"/api/v1/runs/{run_id}").json
    assert stored["code_snapshot"] == "é" * (CODE_MAX // 2) + f"\n# … cut at {CODE_MAX} bytes by mltrace"
    assert stored["code_hash"] == "h" * 64


def test_a_search_longer_than_the_limit_is_a_validation_error(server: LiveServer):
    answer = get(server, "/api/v1/search", q="ab" * 2000)
    assert answer.status == 400 and answer.error["code"] == "validation_error" and "q" in answer.error["details"]
    assert get(server, "/api/v1/search", q="k" * MAX_SEARCH).status == 200


def test_the_openapi_document_states_the_servers_limits(server: LiveServer):
    spec = get(server, "/api/v1/openapi.json").json
    search = spec["paths"]["/api/v1/search"]["get"]["parameters"]
    assert next(p for p in search if p["name"] == "q")["schema"]["maxLength"] == MAX_SEARCH
    assert spec["components"]["schemas"]["IngestBody"]["properties"]["runs"]["maxItems"] == MAX_RUNS
    assert "413" in spec["paths"]["/api/v1/runs"]["post"]["responses"]


# --- gunicorn's own answers ---------------------------------------------------------------------------------------


def test_a_request_line_over_4_kb_is_414_in_the_error_shape(server: LiveServer):
    answer = get(server, "/api/v1/search", q="a" * 5000)
    assert answer.status == 414 and answer.error["code"] == "too_large"
    assert b"<html" not in answer.raw.lower()
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_headers_over_gunicorns_limits_and_malformed_requests_are_json(server: LiveServer):
    answer = server.call("GET", "/api/v1/health", headers={"X-Big": "a" * 9000})
    assert answer.status == 431 and answer.error["code"] == "too_large"
    answer = server.raw(b"GET /api/v1/health HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n")
    assert answer.status == 400 and answer.error["code"] == "bad_request"
    answer = server.raw(b"G@T /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert answer.status == 400 and answer.error["code"] == "bad_request"


# --- what the OpenAPI document said but the server did not do -------------------------------------------------------


def test_empty_typed_query_arguments_are_validation_errors(server: LiveServer):
    for path, name in [
        ("/api/v1/components/known/runs", "until"),
        ("/api/v1/components/known/runs", "since"),
        ("/api/v1/components/known/runs", "limit"),
        ("/api/v1/runs", "limit"),
        ("/api/v1/runs", "before"),
        ("/api/v1/trace?output_id=known.csv", "depth"),
        ("/api/v1/trace?output_id=known.csv", "direction"),
        ("/api/v1/review", "limit"),
    ]:
        answer = server.call("GET", f"{path}{'&' if '?' in path else '?'}{name}=")
        assert answer.status == 400 and name in answer.error["details"], (path, name, answer.raw)


def test_an_empty_output_id_is_documented_as_invalid(server: LiveServer):
    spec = get(server, "/api/v1/openapi.json").json
    output_id = next(p for p in spec["paths"]["/api/v1/trace"]["get"]["parameters"] if p["name"] == "output_id")
    assert output_id["schema"]["minLength"] == 1
    answer = get(server, "/api/v1/trace", output_id="")
    assert answer.status == 400 and "output_id" in answer.error["details"]


def test_null_values_in_params_metrics_and_test_results_are_stored(server: LiveServer):
    record = run(params={"seed": None}, metrics={"auc": None}, test_results=[{"name": "t", "error": None}])
    assert server.call("POST", "/api/v1/runs", {"runs": [record]}).json == {"ingested": 1}
    run_id = get(server, f"/api/v1/components/{record['component']}/runs").json["runs"][0]["id"]
    stored = get(server, f"/api/v1/runs/{run_id}").json
    assert (stored["params"], stored["metrics"], stored["test_results"]) == (
        {"seed": None},
        {"auc": None},
        [{"name": "t", "error": None}],
    )


def test_ids_go_with_before_and_limit_which_they_override(server: LiveServer):
    known = get(server, "/api/v1/components/known/runs").json["runs"][0]["id"]
    answer = get(server, "/api/v1/runs", ids=str(known), before="0.0", limit=1)
    assert answer.status == 200 and [r["id"] for r in answer.json["runs"]] == [known]


# --- paths ---------------------------------------------------------------------------------------------------------


def test_output_ids_that_are_not_utf8_in_the_path_are_not_found_rather_than_errors(server: LiveServer):
    for segment in ("%ED%A0%80", "%FF"):
        answer = server.call("PUT", f"/api/v1/flags/{segment}")
        assert answer.status == 404 and answer.error["code"] == "not_found"
    assert server.call("PUT", f"/api/v1/flags/{quote('known.csv')}").status == 200
    assert server.call("DELETE", f"/api/v1/flags/{quote('known.csv')}").status == 200
