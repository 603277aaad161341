"""`mltrace compare`: the demo's training runs side by side, differing rows first; --json is what the API sends."""

from __future__ import annotations

import json

from mltrace.client import Client
from mltrace.samples import DemoInfo
from mltrace.server.compare_schemas import ComparisonSchema
from tests.cli.conftest import Invoke, one_line_error


def test_compare_json_is_what_the_api_sends(shown_demo: DemoInfo, show: Invoke) -> None:
    ids = list(shown_demo.run_ids["train"][:3])
    expected = ComparisonSchema().dump(Client(shown_demo.db_uri).compare(ids))
    result = show("compare", *map(str, ids), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == expected
    assert [run["id"] for run in expected["runs"]] == ids


def test_the_table_shows_differing_rows_marked_and_counts_the_identical_ones(
    shown_demo: DemoInfo, show: Invoke
) -> None:
    ingests = shown_demo.run_ids["ingest"]
    ids = [ingests[0], shown_demo.culprit_run_id]
    found = Client(shown_demo.db_uri).compare(ids)
    lines = show("compare", *map(str, ids)).stdout.splitlines()
    assert lines[0] == f"2 runs, {found.differing} rows differ."
    assert lines[1].split() == ["GROUP", "KEY", "RUN", str(ids[0]), "RUN", str(ids[1])]
    fahrenheit = next(line.split() for line in lines if " fahrenheit " in line)
    assert fahrenheit == ["*", "params", "fahrenheit", "false", "true"]
    identical = len(found.rows) - found.differing
    assert lines[-1] == f"{identical} identical rows not shown (--all shows them)."
    every = show("compare", *map(str, ids), "--all").stdout.splitlines()
    assert len(every) == 2 + len(found.rows)
    component = next(line.split() for line in every if " component " in line)
    assert component == ["run", "component", "ingest", "ingest"]


def test_bad_input_exits_2_and_unknown_runs_1(shown_demo: DemoInfo, show: Invoke) -> None:
    first = str(shown_demo.culprit_run_id)
    for args in ([first], [first, first], [first, "x"], [str(i) for i in range(1, 52)], [first, "2", "--points", "1"]):
        result = show("compare", *args)
        assert result.exit_code == 2, (args, result.output)
        one_line_error(result)
    result = show("compare", first, "999999")
    assert result.exit_code == 1 and one_line_error(result) == "Error: Run 999999 not found."
