"""Evidence against a run that it records itself: a failed test, a metric or a param far from its component's usual."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RECENT_RUNS = 50  # a run is compared with at most this many of its component's latest runs
MIN_OTHERS = 5  # fewer other runs with the metric or param say nothing about what is usual
OUTLIER_Z = 3.5  # |robust z| at or above which a metric is an outlier (Iglewicz and Hoaglin)
OUTLIER_RATIO = 2.0  # when most runs agree exactly (MAD 0): a value at least this many times the median, or 1/that
USUAL_SHARE = 0.9  # a param value is usual when at least this share of the other runs had it
WEIGHTS = {"failed_test": 1.0, "outlier_metric": 1.0, "rare_param": 1.0}  # what each piece adds to the score


@dataclass(frozen=True)
class Evidence:
    """Why a run is suspect beyond its place in the lineage: `kind` (a key of WEIGHTS), the test, metric or param
    it concerns, the run's value, the usual value among its component's recent runs, and a sentence."""

    kind: str
    key: str
    value: Any
    usual: Any
    message: str

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]


@dataclass(frozen=True)
class RunRecords:
    """What a run recorded that evidence looks at."""

    run_id: int
    component: str
    params: Mapping[str, Any]
    metrics: Mapping[str, Any]
    test_results: Sequence[Mapping[str, Any]]


def evidence_of(run: RunRecords, recent: Iterable[RunRecords]) -> list[Evidence]:
    """Failed tests, outlying metrics and rare params of `run`, against `recent` runs of its component (the run
    itself among them or not)."""
    others = [r for r in recent if r.run_id != run.run_id and r.component == run.component]
    return [*failed_tests(run.test_results), *outlier_metrics(run, others), *rare_params(run, others)]


def failed_tests(test_results: Sequence[Mapping[str, Any]]) -> list[Evidence]:
    """One piece of evidence per failed test."""
    found = []
    for result in test_results:
        if isinstance(result, Mapping) and result.get("passed") is False:
            name = ".".join(str(result[k]) for k in ("test", "name") if result.get(k)) or "a test"
            error = result.get("error")
            message = f"test {name} failed" + (f": {error}" if error else "")
            found.append(Evidence("failed_test", name, error, None, message))
    return found


def outlier_metrics(run: RunRecords, others: Sequence[RunRecords]) -> list[Evidence]:
    """Numeric metrics with a robust z-score (median and MAD of the other runs) of at least OUTLIER_Z; when the
    MAD is 0, those at least OUTLIER_RATIO times the median (or at most its inverse), or non-zero where it is 0."""
    found = []
    for key, value in sorted(run.metrics.items()):
        if not _is_number(value):
            continue
        usual_values = [r.metrics[key] for r in others if key in r.metrics and _is_number(r.metrics[key])]
        if len(usual_values) < MIN_OTHERS:
            continue
        median = statistics.median(usual_values)
        mad = statistics.median(abs(v - median) for v in usual_values)
        if mad > 0:
            z = 0.6745 * (value - median) / mad
            if abs(z) < OUTLIER_Z:
                continue
            how = f"robust z-score {z:+.1f}"
        elif value == median:
            continue
        elif median == 0:
            how = "most recent runs had exactly 0"
        else:
            ratio = value / median
            if 1 / OUTLIER_RATIO < ratio < OUTLIER_RATIO:
                continue
            how = f"{ratio:.2g}× what most recent runs had"
        message = f"metric {key} = {_shown(value)}, usually {_shown(median)} ({how})"
        found.append(Evidence("outlier_metric", key, value, median, message))
    return found


def rare_params(run: RunRecords, others: Sequence[RunRecords]) -> list[Evidence]:
    """Params whose value differs from one that at least USUAL_SHARE of the other runs recording it had."""
    found = []
    for key, value in sorted(run.params.items()):
        seen = {_hashable(r.params[key]): r.params[key] for r in others if key in r.params}
        usual_values = [_hashable(r.params[key]) for r in others if key in r.params]
        if len(usual_values) < MIN_OTHERS:
            continue
        (usual_key, times), *_ = Counter(usual_values).most_common(1)
        if times < USUAL_SHARE * len(usual_values) or _hashable(value) == usual_key:
            continue
        usual = seen[usual_key]
        shared = f"{times} of {len(usual_values)}"
        message = f"param {key} = {_shown(value)}, where {shared} recent runs had {_shown(usual)}"
        found.append(Evidence("rare_param", key, value, usual, message))
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _hashable(value: Any) -> Any:
    """A param's value as a dict key: lists and dicts by their text; `True` apart from `1`."""
    return (type(value).__name__, value if isinstance(value, str | int | float | bool | None) else repr(value))


def _shown(value: Any, most: int = 80) -> str:
    """A value in a message: floats to 4 significant digits, text quoted, at most `most` characters."""
    shown = f"{value:.4g}" if isinstance(value, float) else repr(value) if isinstance(value, str) else str(value)
    return shown if len(shown) <= most else shown[: most - 1] + "…"
