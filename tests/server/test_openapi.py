"""The OpenAPI document: valid, complete, and generated from the same schemas as the answers."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

import mltrace

ROUTES = {
    ("/api/v1/health", "get"),
    ("/api/v1/runs", "get"),
    ("/api/v1/runs", "post"),
    ("/api/v1/runs/export", "get"),
    ("/api/v1/runs/{run_id}", "get"),
    ("/api/v1/runs/{run_id}", "patch"),
    ("/api/v1/runs/{run_id}/series", "get"),
    ("/api/v1/runs/{run_id}/notes", "put"),
    ("/api/v1/components", "get"),
    ("/api/v1/components/{name}", "get"),
    ("/api/v1/components/{name}/runs", "get"),
    ("/api/v1/tags", "get"),
    ("/api/v1/tags/{tag}/components", "get"),
    ("/api/v1/trace", "get"),
    ("/api/v1/diff", "get"),
    ("/api/v1/compare", "get"),
    ("/api/v1/flags", "get"),
    ("/api/v1/flags/{output_id}", "put"),
    ("/api/v1/flags/{output_id}", "delete"),
    ("/api/v1/review", "get"),
    ("/api/v1/impact", "get"),
    ("/api/v1/impact/flags", "post"),
    ("/api/v1/search", "get"),
    ("/api/v1/artifacts", "get"),
    ("/api/v1/artifacts/{hash}", "get"),
    ("/api/v1/cache", "get"),
    ("/api/v1/cache/latest", "get"),
    ("/api/v1/lineage", "post"),
    ("/api/v1/lineage/batch", "post"),
    ("/api/v1/runs/{run_id}/openlineage", "get"),
    ("/api/v1/audit", "get"),
    ("/api/v1/tokens", "get"),
    ("/api/v1/tokens", "post"),
    ("/api/v1/tokens/{name}", "delete"),
}
RUN_FIELDS = {
    "id",
    "component",
    "start",
    "end",
    "duration_ms",
    "status",
    "error",
    "inputs",
    "outputs",
    "inputs_count",
    "outputs_count",
    "dependencies",
    "code_hash",
    "git_hash",
    "git_tags",
    "notes",
    "params",
    "metrics",
    "test_results",
    "stale",
    "warnings",
}


@pytest.fixture
def spec(api) -> dict:
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_openapi_document_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] == "mltrace" and spec["info"]["version"] == mltrace.__version__


def test_openapi_lists_every_route_and_only_those(spec):
    listed = {(path, method) for path, ops in spec["paths"].items() for method in ops if method != "parameters"}
    assert listed == ROUTES


def test_openapi_describes_shapes_from_the_schemas(spec):
    schemas = spec["components"]["schemas"]
    assert set(schemas["Run"]["properties"]) == RUN_FIELDS
    assert set(schemas["RunDetail"]["properties"]) == RUN_FIELDS | {
        "code_snapshot",
        "component_info",
        "reused_run_id",
        "suspect",
    }
    assert set(schemas["SuspectRun"]["properties"]) == RUN_FIELDS | {"suspect"}
    assert set(schemas["SuspectMark"]["properties"]) == {"reason", "source"}
    assert "suspect" in schemas["TraceNode"]["properties"]
    assert set(schemas["Error"]["properties"]) == {"error"}
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "details"}
    run_param = spec["paths"]["/api/v1/runs/{run_id}"]["parameters"][0]
    assert run_param["schema"]["type"] == "integer"
    recent = spec["paths"]["/api/v1/runs"]["get"]
    limit = next(p for p in recent["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 500)
    assert "400" in recent["responses"] and "422" not in recent["responses"]
    assert "404" in spec["paths"]["/api/v1/flags/{output_id}"]["put"]["responses"]


def test_openapi_serves_no_cdn_hosted_ui(api):
    for path in ("/api/v1/swagger-ui", "/api/v1/redoc", "/api/v1/rapidoc"):
        assert api.get(path).status_code == 404
