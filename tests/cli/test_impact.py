"""`mltrace impact`: the demo's bad raw file and what it reached, as the client counts it; --flag flags it all."""

from __future__ import annotations

import json

from mltrace.client import Client
from mltrace.samples import DemoInfo
from mltrace.server.impact_schemas import ImpactSchema
from tests.cli.conftest import Invoke, one_line_error


def test_impact_json_is_what_the_api_sends(shown_demo: DemoInfo, show: Invoke) -> None:
    expected = ImpactSchema().dump(Client(shown_demo.db_uri).impact(shown_demo.culprit_output, limit=4))
    result = show("impact", shown_demo.culprit_output, "-n", "4", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == expected
    behind_the_batch = len(shown_demo.bad_prediction_ids) - 1  # all but the rescoring's flagged prediction
    assert expected["flagged"] == behind_the_batch and expected["runs"] > 0


def test_impact_summary_shows_runs_per_component_and_the_newest_outputs(shown_demo: DemoInfo, show: Invoke) -> None:
    run_id = shown_demo.culprit_run_id
    found = Client(shown_demo.db_uri).impact(f"run:{run_id}", limit=3)
    result = show("impact", f"run:{run_id}", "--limit", "3")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"run:{run_id} affects {found.runs} runs:"
    for name, runs in found.components.items():
        assert any(line.split() == [name, str(runs)] for line in lines), name
    assert f"{found.endpoints} endpoint outputs ({found.flagged} flagged), newest 3:" in lines
    assert [line.split()[0] for line in lines[-3:]] == [o.name for o in found.outputs]


def test_unknown_ids_exit_1_and_bad_selectors_and_options_exit_2(show: Invoke) -> None:
    result = show("impact", "no/such/output")
    assert result.exit_code == 1 and "not found" in one_line_error(result)
    result = show("impact", "run:999999")
    assert result.exit_code == 1 and "not found" in one_line_error(result)
    for args in (["run:x"], ["run:"], ["some/output", "--reason", "why"], ["some/output", "--since", "yesterday"]):
        result = show("impact", *args)
        assert result.exit_code == 2, args
        one_line_error(result)


def test_flag_flags_every_affected_prediction_once_and_review_lists_them(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    client = Client(demo.db_uri)
    client.unflag_all()
    before = client.impact(demo.culprit_output, limit=500)
    assert before.endpoints > 0 and before.flagged == 0
    result = mltrace_cli("impact", demo.culprit_output, "--flag", "--reason", "Fahrenheit batch")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Flagged {before.endpoints} outputs.\n"
    assert client.impact(demo.culprit_output).flagged == before.endpoints
    review = client.review(50)
    assert set(review["flagged"]) == {o.name for o in before.outputs}
    assert {p.flag_reason for p in client.flags()} == {"Fahrenheit batch"}
    again = mltrace_cli("impact", demo.culprit_output, "--flag", "--json")
    assert json.loads(again.stdout) == {"flagged": 0}
    assert client.review(50) == review
