"""`mltrace trace`, `flag`, `unflag` and `review` on the demo pipeline (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import math

import pytest

from mltrace.client import Client
from mltrace.samples import MACHINES, DemoInfo
from tests.cli.conftest import Invoke, one_line_error


def test_trace_draws_the_path_from_a_bad_prediction_to_the_culprit(shown_demo: DemoInfo, show: Invoke) -> None:
    bad = shown_demo.bad_prediction_ids[0]
    result = show("trace", bad)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{bad} [endpoint]  FLAGGED"
    assert lines[1].startswith("`-- run ") and " predict " in lines[1]
    culprit = [line for line in lines if f"run {shown_demo.culprit_run_id} ingest" in line]
    assert culprit, result.stdout
    assert any(f"{shown_demo.culprit_output} [data]" in line for line in lines)
    assert any(line.rstrip().endswith("(see above)") for line in lines)  # shared inputs are drawn once


def test_trace_json_is_the_api_graph(shown_demo: DemoInfo, show: Invoke) -> None:
    bad = shown_demo.bad_prediction_ids[0]
    result = show("trace", bad, "--json")
    assert result.exit_code == 0, result.output
    graph = json.loads(result.stdout)
    assert graph["root"] == f"pointer:{bad}"
    assert graph["direction"] == "upstream"
    runs = {n["run_id"]: n for n in graph["nodes"] if n["kind"] == "run"}
    assert shown_demo.culprit_run_id in runs
    assert set(runs[shown_demo.culprit_run_id]) == {
        "id",
        "kind",
        "run_id",
        "component",
        "start",
        "end",
        "status",
        "stale",
        "suspect",
    }
    pointer = next(n for n in graph["nodes"] if n["id"] == graph["root"])
    assert pointer == {
        "id": f"pointer:{bad}",
        "kind": "pointer",
        "name": bad,
        "type": "endpoint",
        "flagged": True,
        "suspect": [],  # flagged, and nothing upstream of it is
    }
    assert {"source": f"run:{shown_demo.culprit_run_id}", "target": f"pointer:{shown_demo.culprit_output}"} in graph[
        "edges"
    ]


def test_trace_depth_one_is_the_producer_alone(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("trace", shown_demo.bad_prediction_ids[0], "--depth", "1")
    assert result.exit_code == 0, result.output
    assert sum(" run " in f" {line}" for line in result.stdout.splitlines()) == 1


def test_trace_downstream_follows_the_bad_batch_to_its_predictions(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("trace", shown_demo.culprit_output, "--direction", "downstream", "--json")
    assert result.exit_code == 0, result.output
    graph = json.loads(result.stdout)
    predictions = {n["name"] for n in graph["nodes"] if n["kind"] == "pointer" and n["type"] == "endpoint"}
    assert predictions == set(shown_demo.bad_prediction_ids[:-1])  # the last is the rescoring's, not the batch's
    text = show("trace", shown_demo.culprit_output, "--direction", "downstream", "--depth", "1").stdout
    assert [line.split()[3] for line in text.splitlines() if line[4:].startswith("run ")] == ["clean", "clean"]


def test_trace_from_an_older_run_with_run_option(shown_demo: DemoInfo, show: Invoke) -> None:
    first_train = shown_demo.run_ids["train"][0]
    result = show("trace", "models/model.json", "--run", str(first_train), "--depth", "1")
    assert result.exit_code == 0, result.output
    assert f"run {first_train} train" in result.stdout


def test_trace_of_an_unknown_output_exits_1(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("trace", "no/such/output.csv")
    assert result.exit_code == 1
    assert "no/such/output.csv" in one_line_error(result)


def test_trace_with_a_bad_direction_or_depth_exits_2(shown_demo: DemoInfo, show: Invoke) -> None:
    for args in (["--direction", "sideways"], ["--depth", "0"], ["--depth", "x"]):
        result = show("trace", shown_demo.culprit_output, *args)
        assert result.exit_code == 2, args
        one_line_error(result)


def test_review_puts_the_culprit_ingest_run_first(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("review", "--limit", "4")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    flagged = len(shown_demo.bad_prediction_ids)
    assert lines[0].startswith(f"{flagged} flagged outputs: ")
    header, first, *rest = lines[2:]
    assert header.split()[:6] == ["RANK", "SCORE", "FLAGGED", "COVERAGE", "RUN", "COMPONENT"]
    # the culprit covers every flagged output but the rescoring's and nothing else (Ochiai √(16/17)), and records
    # three pieces of evidence (each adds the Ochiai score once more)
    behind = flagged - 1
    score, coverage = 4 * math.sqrt(behind / flagged), round(100 * behind / flagged)
    expected = ["1", f"{score:.2f}", f"{behind}/{flagged}", f"{coverage}%", str(shown_demo.culprit_run_id), "ingest"]
    assert first.split()[:6] == expected
    table, evidence = rest[:3], rest[3:]
    assert [line.split()[0] for line in table] == ["2", "3", "4"]
    assert evidence[:2] == ["", "Evidence that raised a score:"]
    assert evidence[2] == f"1. run {shown_demo.culprit_run_id} (ingest)"
    assert "   param fahrenheit = True, where 7 of 7 recent runs had False" in evidence[3:6]


def test_review_json_has_counts_coverage_scores_and_evidence(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("review", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sorted(data["flagged"]) == sorted(shown_demo.bad_prediction_ids)
    top = data["runs"][0]
    flagged = len(shown_demo.bad_prediction_ids)
    assert (top["id"], top["component"], top["count"]) == (shown_demo.culprit_run_id, "ingest", 2 * MACHINES)
    assert top["coverage"] == pytest.approx(2 * MACHINES / flagged)
    assert top["score"] == pytest.approx(4 * math.sqrt(2 * MACHINES / flagged))  # Ochiai, and three pieces of evidence
    assert [(e["kind"], e["key"]) for e in top["evidence"]] == [
        ("outlier_metric", "temperature_max"),
        ("outlier_metric", "temperature_mean"),
        ("rare_param", "fahrenheit"),
    ]
    assert set(top["evidence"][2]) == {"kind", "key", "value", "usual", "message"}
    assert (top["evidence"][2]["value"], top["evidence"][2]["usual"]) == (True, False)
    assert all(r["score"] <= top["score"] for r in data["runs"])


def test_flag_and_unflag_an_output(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    good = demo.good_prediction_ids[0]
    result = mltrace_cli("flag", good, "--reason", "customer says the score is wrong")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Flagged '{good}'.\n"
    pointer = Client(demo.db_uri).pointer(good)
    assert pointer.flag and pointer.flag_reason == "customer says the score is wrong"
    result = mltrace_cli("unflag", good, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["name"] == good and data["flagged"] is False
    assert set(data) == {"name", "type", "value_hash", "flagged", "flag_reason", "flagged_at"}
    assert mltrace_cli("unflag", good).exit_code == 0  # idempotent


def test_flag_json_returns_the_pointer(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    result = mltrace_cli("flag", demo.culprit_output, "--json")
    data = json.loads(result.stdout)
    assert (data["name"], data["type"], data["flagged"]) == (demo.culprit_output, "data", True)
    assert data["flagged_at"].endswith("+00:00")


def test_flag_of_an_unknown_output_exits_1(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    result = mltrace_cli("flag", "never-logged")
    assert result.exit_code == 1
    assert "never-logged" in one_line_error(result)


def test_unflag_all_clears_every_flag_and_review_says_so(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    result = mltrace_cli("unflag", "--all")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Cleared {len(demo.bad_prediction_ids)} flags.\n"
    assert Client(demo.db_uri).flags() == []
    review = mltrace_cli("review")
    assert review.exit_code == 0
    assert review.stdout.startswith("No outputs are flagged.")


def test_one_flag_is_counted_in_the_singular(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    for bad in demo.bad_prediction_ids[1:]:
        assert mltrace_cli("unflag", bad).exit_code == 0
    review = mltrace_cli("review")
    assert review.stdout.startswith(f"1 flagged output: {demo.bad_prediction_ids[0]}\n"), review.stdout
    assert mltrace_cli("unflag", "--all").stdout == "Cleared 1 flag.\n"


def test_unflag_needs_exactly_one_of_an_id_and_all(mltrace_cli: Invoke) -> None:
    for args in ([], ["some-id", "--all"]):
        result = mltrace_cli("unflag", *args)
        assert result.exit_code == 2, args
        assert "either OUTPUT_ID or --all" in one_line_error(result)
