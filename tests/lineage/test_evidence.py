"""The evidence a run records against itself, judged against its component's recent runs (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import pytest

from mltrace.lineage.evidence import Evidence, RunRecords, evidence_of
from mltrace.lineage.review import ochiai, rank_suspects

ROWS = [100, 103, 98, 101, 99, 102, 97]


def records(run_id: int, params: dict[str, Any] | None = None, metrics: dict[str, Any] | None = None, tests=()):
    return RunRecords(run_id, "ingest", params or {}, metrics or {}, list(tests))


def usual_runs(count: int = 7) -> list[RunRecords]:
    return [records(i, {"unit": "C", "window": 3}, {"rows": ROWS[i % 7], "zeros": 0}) for i in range(count)]


def kinds(found: Sequence[Evidence]) -> list[tuple[str, str]]:
    return [(e.kind, e.key) for e in found]


def test_a_run_like_its_components_others_has_no_evidence() -> None:
    run = records(99, {"unit": "C", "window": 3}, {"rows": 104, "zeros": 0}, [{"test": "T", "passed": True}])
    assert evidence_of(run, usual_runs()) == []


def test_a_metric_far_from_the_median_by_robust_z_score_is_evidence() -> None:
    (found,) = evidence_of(records(99, metrics={"rows": 240}), usual_runs())
    assert (found.kind, found.key, found.value, found.usual) == ("outlier_metric", "rows", 240, 100)
    assert found.message.startswith("metric rows = 240, usually 100 (robust z-score +")


def test_when_most_runs_agree_exactly_a_value_twice_the_usual_or_nonzero_where_it_was_zero_is_evidence() -> None:
    others = [records(i, metrics={"alerts": 0, "machines": 8}) for i in range(6)]
    assert kinds(evidence_of(records(99, metrics={"alerts": 3, "machines": 16}), others)) == [
        ("outlier_metric", "alerts"),
        ("outlier_metric", "machines"),
    ]
    assert evidence_of(records(99, metrics={"machines": 9}), others) == []  # 1.1× is not far
    assert kinds(evidence_of(records(99, metrics={"machines": 4}), others)) == [("outlier_metric", "machines")]


def test_a_param_value_no_other_recent_run_had_is_evidence() -> None:
    (found,) = evidence_of(records(99, {"unit": "F", "window": 3}), usual_runs())
    assert (found.kind, found.key, found.value, found.usual) == ("rare_param", "unit", "F", "C")
    assert found.message == "param unit = 'F', where 7 of 7 recent runs had 'C'"


def test_a_param_without_a_value_most_runs_share_is_no_evidence() -> None:
    others = [records(i, {"seed": i % 3}) for i in range(9)]
    assert evidence_of(records(99, {"seed": 7}), others) == []


def test_each_failed_test_is_evidence_with_its_error() -> None:
    results = [
        {"test": "RawBatch", "name": "test_has_rows", "passed": True, "error": None},
        {"test": "RawBatch", "name": "test_units", "passed": False, "error": "AssertionError: Fahrenheit"},
    ]
    (found,) = evidence_of(records(99, tests=results), [])
    assert (found.kind, found.key, found.value) == ("failed_test", "RawBatch.test_units", "AssertionError: Fahrenheit")
    assert found.message == "test RawBatch.test_units failed: AssertionError: Fahrenheit"


def test_too_few_other_runs_say_nothing_about_what_is_usual() -> None:
    run = records(99, {"unit": "F"}, {"rows": 10_000})
    assert evidence_of(run, usual_runs(4)) == []
    assert len(evidence_of(run, usual_runs(5))) == 2


def test_the_run_itself_and_other_components_are_not_part_of_the_usual() -> None:
    run = records(99, {"unit": "F"})
    others = [records(99, {"unit": "F"})] * 5 + [RunRecords(i, "clean", {"unit": "F"}, {}, []) for i in range(9)]
    assert kinds(evidence_of(run, [*others, *usual_runs()])) == [("rare_param", "unit")]


def test_non_numbers_and_stored_nan_are_not_metrics_to_compare() -> None:
    others = [records(i, metrics={"loss": 1.0 + i / 100, "ok": True}) for i in range(7)]
    assert evidence_of(records(99, metrics={"loss": "NaN", "ok": False}), others) == []


def test_each_piece_of_evidence_adds_the_ochiai_score_once_more_and_reorders_only_by_it() -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    starts = {1: start, 2: start.replace(hour=1), 3: start.replace(hour=2)}
    flagged, passing = {1: 1, 2: 1, 3: 1}, {1: 15, 2: 7, 3: 7}
    plain = rank_suspects(flagged, passing, starts, 1)
    assert [s.run_id for s in plain] == [3, 2, 1]  # equal scores: the latest start first
    pieces = evidence_of(records(1, {"unit": "F"}, {"rows": 900}), usual_runs())
    raised = rank_suspects(flagged, passing, starts, 1, {1: pieces})
    assert [s.run_id for s in raised] == [1, 3, 2]
    assert raised[0].score == pytest.approx(ochiai(1, 15, 1) * 3) and raised[0].evidence == tuple(pieces)
    assert [s.score for s in raised[1:]] == [s.score for s in plain[:2]]


def test_a_rare_list_param_names_the_usual_list_and_true_is_not_one() -> None:
    others = [records(i, {"columns": ["a", "b"], "strict": 1}) for i in range(6)]
    found = evidence_of(records(99, {"columns": ["a"], "strict": True}), others)
    assert [(e.key, e.value, e.usual) for e in found] == [("columns", ["a"], ["a", "b"]), ("strict", True, 1)]


def test_a_long_value_is_shortened_in_the_message_only() -> None:
    others = [records(i, {"query": "SELECT 1"}) for i in range(6)]
    (found,) = evidence_of(records(99, {"query": "SELECT " + "x, " * 100}), others)
    assert found.value == "SELECT " + "x, " * 100 and len(found.message) < 140 and "…" in found.message
