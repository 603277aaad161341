"""`mltrace recent`, `history`, `inspect` and `notes` on the demo pipeline (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta

from mltrace.cli import text
from mltrace.client import Client
from mltrace.entities.component_run import PREVIEW_SIZE
from mltrace.samples import BAD_DAY, DAYS, DemoInfo
from tests.cli.conftest import Invoke, one_line_error
from tests.factories import run
from tests.server.test_openapi import RUN_FIELDS

RUN_KEYS = RUN_FIELDS  # the API's Run shape, pinned in one place


def test_recent_shows_the_newest_runs_first_in_an_aligned_table(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("recent", "--limit", "5")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["ID", "COMPONENT", "STARTED", f"({text.local_zone()})"]
    assert len(rows) == 5
    newest = shown_demo.cached_run_ids[-1]  # the demo's last run: train, returning an earlier result
    assert rows[0].split()[:2] == [str(newest), "train"]
    assert [int(r.split()[0]) for r in rows] == sorted((int(r.split()[0]) for r in rows), reverse=True)
    status_column = header.index("STATUS")
    assert all(r[status_column:].startswith(("success", "FAILED", "cached")) for r in rows)  # columns line up


def test_recent_json_has_the_api_field_names(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("recent", "-n", "5", "--json")
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)["runs"]
    assert len(runs) == 5
    assert all(set(run) == RUN_KEYS for run in runs)
    predict = next(run for run in runs if run["component"] == "predict")
    assert set(predict["outputs"][0]) == {"name", "type", "value_hash", "flagged"}
    assert predict["outputs"][0]["type"] == "endpoint"


def test_history_lists_one_component_within_a_time_window(shown_demo: DemoInfo, show: Invoke) -> None:
    client = Client(shown_demo.db_uri)
    culprit = client.get_run(shown_demo.culprit_run_id)
    since = culprit.start_timestamp.replace(hour=0, minute=0, second=0, microsecond=0)
    until = since + timedelta(days=2)
    result = show("history", "ingest", "--since", since.isoformat(), "--until", until.isoformat())
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    assert [r.split()[1] for r in rows] == ["ingest", "ingest"]
    assert rows[-1].split()[0] == str(shown_demo.culprit_run_id)


def test_history_limit_and_json(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("history", "ingest", "--limit", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["component"] == "ingest"
    assert [r["id"] for r in data["runs"]] == list(reversed(shown_demo.run_ids["ingest"]))[:3]


def test_history_shows_failed_runs_and_their_duration(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("history", "ingest", "--limit", "20")
    failed = [line for line in result.stdout.splitlines() if line.split()[0] == str(shown_demo.failed_run_ids[0])]
    assert len(failed) == 1
    assert "FAILED" in failed[0]
    assert " s " in failed[0]  # a duration of seconds, e.g. "17.1 s"


def test_history_of_an_unknown_component_exits_1(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("history", "no-such-component")
    assert result.exit_code == 1
    assert "no-such-component" in one_line_error(result)


def test_inspect_shows_what_the_run_read_wrote_and_tested(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("inspect", str(shown_demo.culprit_run_id))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"Run {shown_demo.culprit_run_id}\n")
    assert "ingest" in out and "data-eng" in out
    assert f"{shown_demo.culprit_output} [data]" in out
    assert "s3://acme-sensors/events/" in out
    assert "RawBatchLooksComplete.test_has_rows (after): passed" in out
    assert "def ingest(" not in out  # the code only with --code


def test_inspect_shows_staleness_flags_and_code(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("inspect", str(shown_demo.stale_run_ids[0]), "--code")
    assert result.exit_code == 0, result.output
    assert "success, stale" in result.stdout
    assert "Dependency 'train'" in result.stdout and "threshold 3 days" in result.stdout
    assert "def predict(" in result.stdout
    bad_run = Client(shown_demo.db_uri).history("predict")[DAYS - BAD_DAY]
    flagged = show("inspect", str(bad_run.id)).stdout
    assert "FLAGGED: Failure probability" in flagged


def test_inspect_json_has_the_code_snapshot_and_component(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("inspect", str(shown_demo.culprit_run_id), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == RUN_KEYS | {"code_snapshot", "component_info", "suspect"}
    assert data["suspect"] == []
    assert data["id"] == shown_demo.culprit_run_id
    assert "def ingest(" in data["code_snapshot"]
    assert data["component_info"]["owner"] == "data-eng"
    assert data["start"].endswith("+00:00")


def test_inspect_of_an_unknown_run_exits_1_with_one_line(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("inspect", "987654")
    assert result.exit_code == 1
    assert "987654" in one_line_error(result)


def test_inspect_of_a_malformed_run_id_exits_2(mltrace_cli: Invoke) -> None:
    result = mltrace_cli("inspect", "abc")
    assert result.exit_code == 2
    assert "'abc' is not a valid integer" in one_line_error(result)


def test_notes_replace_a_runs_notes(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    result = mltrace_cli("notes", str(demo.culprit_run_id), "Vendor sent Fahrenheit; ticket OPS-12.")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Notes of run {demo.culprit_run_id} saved.\n"
    assert Client(demo.db_uri).get_run(demo.culprit_run_id).notes == "Vendor sent Fahrenheit; ticket OPS-12."
    shown = mltrace_cli("inspect", str(demo.culprit_run_id)).stdout
    assert "Vendor sent Fahrenheit; ticket OPS-12." in shown
    as_json = mltrace_cli("notes", str(demo.culprit_run_id), "", "--json")
    assert json.loads(as_json.stdout)["notes"] == ""


def test_notes_on_an_unknown_run_exits_1(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    result = mltrace_cli("notes", "987654", "hello")
    assert result.exit_code == 1
    one_line_error(result)


def test_recent_on_an_empty_database_says_so(mltrace_cli: Invoke) -> None:
    result = mltrace_cli("recent")
    assert result.exit_code == 0
    assert result.stdout == "No runs logged yet.\n"


def test_lists_count_every_output_of_a_batch_run_and_inspect_shows_them_all(mltrace_cli: Invoke, db_uri: str) -> None:
    scores = [f"scores/{k:03d}" for k in range(40)]
    (batch,) = Client(db_uri).ingest([run("score", 0, inputs=["model.pkl"], outputs=scores, component_tags=["batch"])])
    for args in (("recent",), ("history", "score"), ("tag", "batch")):
        table = mltrace_cli(*args)
        assert table.exit_code == 0, table.output
        assert "scores/000 (+39 more)" in table.stdout, args
    (listed,) = json.loads(mltrace_cli("recent", "--json").stdout)["runs"]
    assert [p["name"] for p in listed["outputs"]] == scores[:PREVIEW_SIZE]
    assert (listed["inputs_count"], listed["outputs_count"]) == (1, 40)
    inspected = json.loads(mltrace_cli("inspect", str(batch), "--json").stdout)
    assert [p["name"] for p in inspected["outputs"]] == scores and inspected["outputs_count"] == 40
    card = mltrace_cli("inspect", str(batch)).stdout
    assert all(f"{name} [" in card for name in scores)
