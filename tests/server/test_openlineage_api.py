"""OpenLineage in and out over HTTP, on SQLite and PostgreSQL: events map onto runs and merge in any order, bad
events are refused whole, runs come out as START and COMPLETE/FAIL events and read back into equal traces."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openlineage.client.event_v2 import (
    DatasetEvent,
    InputDataset,
    Job,
    JobEvent,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
    StaticDataset,
)
from openlineage.client.serde import Serde
from sqlalchemy import select

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db.models import run_params
from tests.server.openlineage_events import as_json, new_run_id, parent_events, sql_job_events
from tests.server.sample import Pipeline, assert_error

FEATURES = "postgres://warehouse:5432/analytics.public.features"
RAW = "postgres://warehouse:5432/analytics.public.raw_events"


def post(api: FlaskClient, event: Any) -> Any:
    return api.post("/api/v1/lineage", json=event)


def run_of(api: FlaskClient, run_id: int) -> dict[str, Any]:
    answer = api.get(f"/api/v1/runs/{run_id}")
    assert answer.status_code == 200
    return answer.get_json()


def test_a_run_event_pair_becomes_one_run_with_its_facets_mapped(api: FlaskClient) -> None:
    task, dag = new_run_id(), new_run_id()
    start, end = as_json(sql_job_events(task, parent=dag, failed=True))
    first = post(api, start)
    assert first.status_code == 201, first.get_json()
    run_id = first.get_json()["run_id"]
    assert run_of(api, run_id)["status"] == "running"
    answer = post(api, end)
    assert answer.status_code == 201 and answer.get_json() == {"run_id": run_id, "duplicate": False}
    run = run_of(api, run_id)
    assert run["component"] == "airflow/etl.build_features"
    assert (run["start"], run["end"]) == ("2026-03-01T06:00:00.000000+00:00", "2026-03-01T06:05:00.000000+00:00")
    assert run["status"] == "failed" and run["error"] == "relation does not exist"
    assert run["code_snapshot"].startswith("INSERT INTO analytics.public.features")
    assert run["params"] == {
        "openlineage.nominal_start_time": "2026-03-01T06:00:00.000000+00:00",
        "openlineage.tags": {"env": "prod"},
    }
    assert [(p["name"], p["value_hash"]) for p in run["inputs"]] == [(RAW, "v3")]
    assert [(p["name"], p["value_hash"]) for p in run["outputs"]] == [(FEATURES, "v7")]
    # the same event again is stored once
    again = post(api, end)
    assert again.status_code == 201 and again.get_json() == {"run_id": run_id, "duplicate": True}
    # the parent arrives last: the task is linked to it all the same
    for event in as_json(parent_events(dag)):
        parent_id = post(api, event).get_json()["run_id"]
    assert parent_id in run_of(api, run_id)["dependencies"]
    # unknown facets are kept and sent on
    events = api.get(f"/api/v1/runs/{run_id}/openlineage").get_json()["events"]
    assert [e["eventType"] for e in events] == ["START", "FAIL"]
    assert events[1]["job"]["facets"]["sql"]["query"].startswith("INSERT INTO")
    assert events[1]["run"]["facets"]["parent"]["run"]["runId"] == dag
    assert events[1]["run"]["facets"]["errorMessage"]["message"] == "relation does not exist"
    assert (events[1]["outputs"][0]["namespace"], events[1]["outputs"][0]["name"]) == (
        "postgres://warehouse:5432",
        "analytics.public.features",
    )


def _runs_by_key(store: Client) -> list[tuple[Any, ...]]:
    found = []
    for run in store.runs([r.id for r in store.recent(100) if r.id is not None]):
        found.append(
            (
                run.component_name,
                run.start_timestamp,
                run.end_timestamp,
                run.status,
                run.error,
                run.code_snapshot is None,
                sorted((p.name, p.value_hash) for p in run.inputs),
                sorted((p.name, p.value_hash) for p in run.outputs),
                run.params,
                len(run.dependencies),
            )
        )
    return sorted(found, key=repr)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_events_in_any_order_give_the_same_runs(app: Any, seed: int, tmp_path: Path) -> None:
    task, dag, failed_task = new_run_id(), new_run_id(), new_run_id()
    events = as_json([*sql_job_events(task, parent=dag), *parent_events(dag)])
    events += as_json(sql_job_events(failed_task, parent=dag, failed=True))
    in_order = Client(f"sqlite:///{tmp_path / 'in-order.db'}", config=Config.from_env())
    in_order.ingest_openlineage(events)
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    api = app.test_client()
    for event in shuffled:  # one at a time, the way a scheduler sends them
        assert post(api, event).status_code == 201
    assert _runs_by_key(app.extensions["mltrace"]) == _runs_by_key(in_order)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda e: e["run"].update(runId="not-a-uuid"), "run"),
        (lambda e: e.pop("eventTime"), "eventTime"),
        (lambda e: e.update(eventTime="2026-03-01"), "eventTime"),
        (lambda e: e.update(eventType="FINISHED"), "eventType"),
        (lambda e: e["job"].update(name=""), "job"),
        (lambda e: e["outputs"][0].pop("namespace"), "outputs"),
        (lambda e: e["run"].update(facets={"errorMessage": "boom"}), "run"),
        (lambda e: e.pop("run") and e.pop("job"), "_schema"),
    ],
)
def test_invalid_events_are_refused_and_nothing_is_stored(api: FlaskClient, store: Client, change: Any, field: str):
    event = as_json(sql_job_events(new_run_id()))[1]
    change(event)
    error = assert_error(post(api, event), 400, "validation_error")
    assert field in error["details"]
    assert store.recent(5) == []
    report = api.post("/api/v1/lineage/batch", json=[event]).get_json()
    assert report["results"][0]["status"] == 400 and report["stored"] == 0
    assert store.recent(5) == [] and store.components() == []


def test_malformed_json_and_bodies_that_are_no_events_are_400(api: FlaskClient, store: Client) -> None:
    for path in ("/api/v1/lineage", "/api/v1/lineage/batch"):
        answer = api.post(path, data=b'{"eventTime": ', content_type="application/json")
        assert_error(answer, 400, "bad_request")
    assert_error(post(api, [as_json(sql_job_events(new_run_id()))[0]]), 400, "validation_error")
    assert_error(api.post("/api/v1/lineage/batch", json={"events": []}), 400, "bad_request")
    assert store.recent(5) == []


def test_a_batch_stores_the_valid_events_and_reports_on_each(api: FlaskClient, store: Client, app: Any) -> None:
    good = as_json(sql_job_events(new_run_id()))
    bad = dict(good[0], eventTime="yesterday")
    report = api.post("/api/v1/lineage/batch", json=[good[0], bad, good[1], good[1]])
    assert report.status_code == 200
    body = report.get_json()
    assert (body["stored"], body["refused"]) == (3, 1)
    statuses = [(r["index"], r["status"], r["duplicate"]) for r in body["results"]]
    assert statuses == [(0, 201, False), (1, 400, False), (2, 201, False), (3, 201, True)]
    assert (
        body["results"][1]["error"]["code"] == "validation_error"
        and "eventTime" in body["results"][1]["error"]["message"]
    )
    (run,) = store.recent(5)
    assert run.status == "success" and body["results"][0]["run_id"] == run.id
    app.extensions["mltrace.limits"] = type(app.extensions["mltrace.limits"])(10**6, 2, 200, 10**6)
    assert_error(api.post("/api/v1/lineage/batch", json=good * 2), 413, "too_large")


def test_job_and_dataset_events_create_components_and_pointers(api: FlaskClient, store: Client) -> None:
    job = Job(namespace="dbt", name="models.orders")
    raw = InputDataset(namespace="snowflake://acme", name="raw.orders")
    event = Serde.to_dict(JobEvent(eventTime="2026-03-01T06:00:00Z", job=job, inputs=[raw], producer="p"))
    assert post(api, event).get_json() == {"run_id": None, "duplicate": False}
    marts = StaticDataset(namespace="snowflake://acme", name="marts.orders", facets={"custom": {"x": 1}})
    dataset_event = Serde.to_dict(DatasetEvent(eventTime="2026-03-01T06:00:00Z", dataset=marts, producer="p"))
    assert post(api, dataset_event).status_code == 201
    assert [c.name for c in store.components()] == ["dbt/models.orders"]
    assert store.pointer("snowflake://acme/raw.orders").name == "snowflake://acme/raw.orders"
    assert store.pointer("snowflake://acme/marts.orders").name == "snowflake://acme/marts.orders"


def test_a_logged_run_comes_out_as_start_and_complete(api: FlaskClient, pipeline: Pipeline) -> None:
    events = api.get(f"/api/v1/runs/{pipeline.train}/openlineage").get_json()["events"]
    start, end = events
    assert (start["eventType"], end["eventType"]) == ("START", "COMPLETE")
    assert start["run"]["runId"] == end["run"]["runId"]
    assert end["job"] == start["job"] and end["job"]["namespace"] == "mltrace" and end["job"]["name"] == "train"
    assert end["job"]["facets"]["sourceCode"]["sourceCode"].startswith("def train")
    assert [(d["name"], d["facets"]["version"]["datasetVersion"]) for d in end["outputs"]] == [
        ("models/model.pkl", "m1")
    ]
    assert end["run"]["facets"]["mltrace"]["params"] == {"lr": 0.1}
    failed = api.get(f"/api/v1/runs/{pipeline.predict2}/openlineage").get_json()["events"]
    assert (
        failed[1]["eventType"] == "FAIL" and failed[1]["run"]["facets"]["errorMessage"]["message"] == "ValueError: boom"
    )
    assert_error(api.get("/api/v1/runs/987654/openlineage"), 404, "not_found")


def _parse(line: str) -> RunEvent:
    """An exported line as the openlineage client's RunEvent (its validators check runId and eventTime)."""
    data = json.loads(line)

    def datasets(cls: Any, items: list[dict[str, Any]]) -> list[Any]:
        return [cls(namespace=d["namespace"], name=d["name"], facets=d.get("facets") or {}) for d in items]

    return RunEvent(
        eventType=RunState(data["eventType"]),
        eventTime=data["eventTime"],
        run=Run(runId=data["run"]["runId"], facets=data["run"]["facets"]),
        job=Job(namespace=data["job"]["namespace"], name=data["job"]["name"], facets=data["job"]["facets"]),
        inputs=datasets(InputDataset, data["inputs"]),
        outputs=datasets(OutputDataset, data["outputs"]),
        producer=data["producer"],
    )


def _shape(graph: dict[str, Any]) -> tuple[Any, ...]:
    """A trace without run ids: runs by component and times, edges between those."""

    def node_key(node_id: str) -> Any:
        node = nodes[node_id]
        if node["kind"] == "run":
            return ("run", node["component"], node["start"], node["end"], node["status"])
        return ("pointer", node["name"], node["type"], node["flagged"])

    nodes = {n["id"]: n for n in graph["nodes"]}
    return (
        sorted(node_key(n) for n in nodes),
        sorted((node_key(e["source"]), node_key(e["target"])) for e in graph["edges"]),
    )


def test_export_then_import_gives_equal_traces(
    api: FlaskClient, store: Client, pipeline: Pipeline, tmp_path: Path, invoke_cli: Any
) -> None:
    for event in as_json([*sql_job_events(new_run_id()), *parent_events(new_run_id())]):
        assert post(api, event).status_code == 201
    exported = tmp_path / "lineage.ndjson"
    result = invoke_cli("export", "--format", "openlineage", "-o", str(exported))
    assert result.exit_code == 0, result.output
    lines = exported.read_text().splitlines()
    runs = store.recent(100)
    assert len(lines) == 2 * len(runs)
    events = [Serde.to_dict(_parse(line)) for line in lines]
    copy = Client(f"sqlite:///{tmp_path / 'copy.db'}", config=Config.from_env())
    copy.ingest_openlineage(events)
    outputs = ["pred/1", "pred/3", "models/model.pkl", FEATURES]
    for output in outputs:
        for direction in ("upstream", "downstream"):
            assert _shape(copy.trace(output, direction)) == _shape(store.trace(output, direction)), (output, direction)
    assert {c.name for c in copy.components()} == {c.name for c in store.components()}


@pytest.fixture
def invoke_cli(store: Client) -> Any:
    from click.testing import CliRunner

    from mltrace.cli.main import cli

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(cli, [*args, "--db", store.db_uri], prog_name="mltrace")

    return invoke


def test_combinations_of_start_running_and_end_agree(api: FlaskClient, store: Client) -> None:
    run_id = new_run_id()
    start, end = as_json(sql_job_events(run_id))
    running = dict(start, eventType="RUNNING", eventTime="2026-03-01T06:02:00+00:00")
    for order in itertools.permutations([start, running, end]):
        fresh = new_run_id()
        for event in order:
            assert post(api, json.loads(json.dumps(event).replace(run_id, fresh))).status_code == 201
    runs = store.recent(10)
    assert len(runs) == 6 and {(r.status, r.start_timestamp, r.end_timestamp) for r in runs} == {
        (runs[0].status, runs[0].start_timestamp, runs[0].end_timestamp)
    }
    assert runs[0].status == "success"


def test_a_rebuilt_run_keeps_its_typed_params_in_step(api: FlaskClient, store: Client) -> None:
    """The START event has no tags, the COMPLETE event adds them: the run is rewritten in place, and the typed
    param rows that queries read follow it."""
    run_id = new_run_id()
    start, end = as_json(sql_job_events(run_id))
    del start["run"]["facets"]["tags"]
    stored = post(api, start).get_json()["run_id"]
    assert post(api, end).status_code == 201
    with store.store.engine.connect() as conn:
        rows = conn.execute(select(run_params.c.key, run_params.c.text).where(run_params.c.run_id == stored)).all()
    assert dict(rows) == {
        "openlineage.nominal_start_time": "2026-03-01T06:00:00.000000+00:00",
        "openlineage.tags": '{"env": "prod"}',
    }
