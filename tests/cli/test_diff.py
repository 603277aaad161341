"""`mltrace diff` on the demo: a good prediction against a bad one names the bad raw batch on its first line."""

from __future__ import annotations

import json

from mltrace.cli import shapes
from mltrace.client import Client
from mltrace.samples import DemoInfo
from mltrace.server.diff_schemas import DiffSchema
from tests.cli.conftest import Invoke, one_line_error
from tests.diff_pipelines import CLEAN_CODE, pipeline, train


def good_and_bad(demo: DemoInfo) -> tuple[str, str]:
    """A bad prediction, and a good one of the predict run the day before."""
    client = Client(demo.db_uri)
    bad = demo.bad_prediction_ids[0]
    graph = client.trace(bad, depth=1)
    producer = next(n["run_id"] for n in graph["nodes"] if n["kind"] == "run")
    predicts = demo.run_ids["predict"]
    (before,) = client.runs([predicts[predicts.index(producer) - 1]])
    good = next(p.name for p in before.outputs if p.name in demo.good_prediction_ids)
    return good, bad


def test_the_first_line_names_the_bad_raw_batch(shown_demo: DemoInfo, show: Invoke) -> None:
    good, bad = good_and_bad(shown_demo)
    result = show("diff", good, bad)
    assert result.exit_code == 0, result.output
    top = result.stdout.splitlines()[0]
    assert top.startswith("1. raw input ") and " of ingest " in top, top
    assert f"/ run {shown_demo.culprit_run_id})" in top
    assert "explained by 1" in result.stdout  # the features and predictions it led to


def test_the_hotfix_days_flagged_prediction_against_that_mornings_names_featurizes_code_change_first(
    shown_demo: DemoInfo, show: Invoke
) -> None:
    good, bad = shown_demo.hotfix_diff
    result = show("diff", good, bad)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. code of featurize (run ") and f"/ run {shown_demo.hotfix_run_id}):" in lines[0]
    assert any(line.startswith("     +") and "* 9.81" in line for line in lines)  # the changed line, and only it
    assert sum(line.startswith("     -    ") for line in lines) == 1
    ranked = Client(shown_demo.db_uri).diff(good, bad).differences
    assert (ranked[0].kind, ranked[0].component, ranked[0].b_run_id) == ("code", "featurize", shown_demo.hotfix_run_id)
    assert not [d for d in ranked if d.kind in ("raw_input", "git")]  # the same data and commit
    # the same params but the rescoring's seed index, an argument of predict (recorded as a param), ranked below
    assert [(d.kind, d.component, d.key) for d in ranked if d.kind == "params"] == [("params", "predict", "index")]


def test_a_code_difference_is_followed_by_its_unified_diff(mltrace_cli: Invoke, db_uri: str) -> None:
    changed = CLEAN_CODE.replace("r.ok", "not r.bad")
    Client(db_uri).ingest([train(0), *pipeline("a", 100), *pipeline("b", 200, code_hash="c2", code_snapshot=changed)])
    result = mltrace_cli("diff", "pred/a", "pred/b")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. code of clean ") and lines[0].endswith(": c1 -> c2")
    assert "     -    return [r for r in rows if r.ok]" in lines
    assert "     +    return [r for r in rows if not r.bad]" in lines


def test_identical_traces_say_so(mltrace_cli: Invoke, db_uri: str) -> None:
    Client(db_uri).ingest([train(0), *pipeline("a", 100)])
    result = mltrace_cli("diff", "pred/a", "pred/a")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("'pred/a' and 'pred/a' have identical traces: 4 runs paired (4 shared)")


def test_diff_json_is_the_api_answer(shown_demo: DemoInfo, show: Invoke) -> None:
    good, bad = good_and_bad(shown_demo)
    result = show("diff", good, bad, "--json")
    assert result.exit_code == 0, result.output
    expected = DiffSchema().dump(Client(shown_demo.db_uri).diff(good, bad))
    assert json.loads(result.stdout) == expected == json.loads(shapes.dumps(expected))


def test_an_unknown_output_exits_1_with_one_line(show: Invoke, shown_demo: DemoInfo) -> None:
    result = show("diff", shown_demo.bad_prediction_ids[0], "no/such/output")
    assert result.exit_code == 1
    assert "no/such/output" in one_line_error(result)


def test_a_missing_output_is_a_usage_error(show: Invoke) -> None:
    result = show("diff", "only-one")
    assert result.exit_code == 2
    assert "BAD_OUTPUT" in result.stderr
