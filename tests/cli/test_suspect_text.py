"""The text of trace, inspect, recent and history says which runs are suspect, and inspect says why."""

from __future__ import annotations

from mltrace.client import Client
from tests.cli.conftest import Invoke
from tests.factories import run


def _pipeline(client: Client) -> dict[str, int]:
    """raw → clean → features → train; `cleaned` flagged, so featurize and train are suspect."""
    client.ingest(
        [
            run("clean", 0, inputs=["raw"], outputs=["cleaned"]),
            run("featurize", 2, inputs=["cleaned"], outputs=["features"]),
            run("train", 4, inputs=["features"], outputs=["model"]),
        ]
    )
    client.flag("cleaned", reason="duplicated rows")
    return {r.component_name: r.id for r in client.recent(10)}


def test_inspect_says_why_a_run_is_suspect(client: Client, mltrace_cli: Invoke) -> None:
    ids = _pipeline(client)
    card = mltrace_cli("inspect", str(ids["train"])).stdout
    [line] = [line for line in card.splitlines() if "Suspect" in line]
    assert line.split(None, 1)[1] == "downstream of flagged output 'cleaned': duplicated rows"
    assert "Suspect" not in mltrace_cli("inspect", str(ids["clean"])).stdout


def test_trace_marks_suspect_nodes(client: Client, mltrace_cli: Invoke) -> None:
    ids = _pipeline(client)
    lines = mltrace_cli("trace", "model").stdout.splitlines()
    marked = {line.split("run ")[1].split()[0] for line in lines if "run " in line and "SUSPECT (1 reason)" in line}
    assert marked == {str(ids["train"]), str(ids["featurize"])}
    assert lines[0] == "model [model]  SUSPECT (1 reason)"


def test_recent_and_history_list_suspect_runs(client: Client, mltrace_cli: Invoke) -> None:
    ids = _pipeline(client)
    rows = {line.split()[0]: line for line in mltrace_cli("recent").stdout.splitlines()[1:]}
    assert "success, suspect" in rows[str(ids["train"])] and "suspect" not in rows[str(ids["clean"])]
    assert "success, suspect" in mltrace_cli("history", "featurize").stdout
