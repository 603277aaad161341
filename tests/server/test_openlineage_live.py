"""The official openlineage-python client against a live `mltrace serve`, a pipeline that mixes an OpenLineage SQL
job with decorated Python steps, and runs sent to a second live server acting as the OpenLineage collector, also
while it is down."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from openlineage.client import OpenLineageClient

import mltrace
from mltrace import client as client_module
from mltrace.cli.main import cli
from mltrace.client import Client
from mltrace.config import Config
from tests.ports import free_port
from tests.server.live import LiveServer, live_server
from tests.server.openlineage_events import new_run_id, parent_events, sql_job_events

FEATURES = "postgres://warehouse:5432/analytics.public.features"
RAW = "postgres://warehouse:5432/analytics.public.raw_events"


@pytest.fixture
def server(db_uri: str, tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(db_uri, tmp_path / "server") as live:
        yield live


@pytest.fixture
def through(server: LiveServer, mltrace_home: Path) -> Iterator[LiveServer]:
    client_module._overrides.clear()
    mltrace.set_address(server.url)
    yield server
    client_module._overrides.clear()
    client_module._reset_default()


def test_the_real_client_and_decorated_steps_make_one_trace(through: LiveServer) -> None:
    lineage = OpenLineageClient(
        config={"transport": {"type": "http", "url": through.url, "auth": {"type": "api_key", "apiKey": "secret"}}}
    )
    task, dag = new_run_id(), new_run_id()
    for event in [*parent_events(dag)[:1], *sql_job_events(task, parent=dag), parent_events(dag)[1]]:
        lineage.emit(event)
    lineage.close()

    @mltrace.register("train", input_vars=["table"], output_vars=["model"])
    def train(table: str) -> str:
        model = "models/churn.pkl"
        return model

    @mltrace.register("predict", input_vars=["model"], output_vars=["prediction"], endpoint=True)
    def predict(model: str) -> str:
        prediction = "predictions/customer-42"
        return prediction

    predict(train(FEATURES))
    assert mltrace.flush(30) is True
    result = CliRunner().invoke(
        cli, ["trace", "predictions/customer-42", "--server", through.url, "--json"], prog_name="mltrace"
    )
    assert result.exit_code == 0, result.output
    graph = json.loads(result.output)
    names = {n.get("name") for n in graph["nodes"] if n["kind"] == "pointer"}
    components = {n.get("component") for n in graph["nodes"] if n["kind"] == "run"}
    assert RAW in names and FEATURES in names
    assert components == {"predict", "train", "airflow/etl.build_features", "airflow/etl"}
    assert "Bearer secret" not in through.log.read_text()  # the key is sent, never logged


def test_events_the_client_marks_invalid_are_refused_by_the_server(server: LiveServer) -> None:
    event = {"eventTime": "2026-03-01", "producer": "p", "schemaURL": "s", "run": {"runId": "x"}, "job": {}}
    answer = server.call("POST", "/api/v1/lineage", event)
    assert answer.status == 400 and answer.error["code"] == "validation_error"
    assert {"eventTime", "run", "job"} <= set(answer.error["details"])
    answer = server.call("POST", "/api/v1/lineage", data=b"{not json")
    assert answer.status == 400 and answer.error["code"] == "bad_request"
    assert server.call("GET", "/api/v1/runs?limit=5").json["runs"] == []


def test_runs_reach_the_collector_after_it_was_down(db_uri: str, mltrace_home: Path, tmp_path: Path, monkeypatch):
    port = free_port()
    monkeypatch.setenv("MLTRACE_OPENLINEAGE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("MLTRACE_OPENLINEAGE_API_KEY", "collector-key")
    monkeypatch.setenv("MLTRACE_STORE_TIMEOUT", "2")
    local = Client(db_uri, config=Config.from_env())

    @mltrace.register("clean", input_vars=["raw"], output_vars=["cleaned"])
    def clean(raw: str) -> str:
        cleaned = "data/clean.csv"
        return cleaned

    client_module._overrides.clear()
    mltrace.set_db_uri(db_uri)
    try:
        started = time.perf_counter()
        for _ in range(3):
            clean("data/raw.csv")
        assert time.perf_counter() - started < 1.0  # a collector that is down costs the pipeline nothing
        assert mltrace.flush(10) is False  # stored, but not sent: kept in the collector's spool
        assert len(local.recent(10)) == 3
        with live_server(f"sqlite:///{tmp_path / 'collector.db'}", tmp_path / "collector", port=port) as collector:
            deadline = time.monotonic() + 60
            while not mltrace.flush(5) and time.monotonic() < deadline:
                time.sleep(0.2)
            runs = collector.call("GET", "/api/v1/runs?limit=10").json["runs"]
        assert len(runs) == 3 and {r["component"] for r in runs} == {"clean"}
        assert {r["status"] for r in runs} == {"success"}
        mine = sorted(
            (r.start_timestamp.isoformat(timespec="microseconds"), r.outputs[0].name) for r in local.recent(10)
        )
        theirs = sorted((r["start"], r["outputs"][0]["name"]) for r in runs)
        assert [s for s, _ in mine] == [s for s, _ in theirs] and {n for _, n in theirs} == {"data/clean.csv"}
    finally:
        client_module._overrides.clear()
        client_module._reset_default()
