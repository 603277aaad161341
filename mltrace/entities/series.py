"""Step series: the points `log_metrics(..., step=N)` records, one per metric key and step."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from mltrace.entities.limits import MAX_NAME_CHARS, text_problem

MIN_STEP, MAX_STEP = -(2**63), 2**63 - 1  # a BIGINT


class SeriesPoint(NamedTuple):
    """One point of a metric's series: its step, its value (NaN and ±Infinity as floats) and when it was logged."""

    step: int
    value: float
    logged: datetime


Series = dict[str, list[SeriesPoint]]  # metric key -> its points by step, one per step


def last_values(series: Series) -> dict[str, float]:
    """Each series' value at its highest step: the run-level value of that metric."""
    return {key: max(points, key=lambda p: p.step).value for key, points in series.items() if points}


def series_problems(series: Series) -> list[str]:
    """Why a run's series cannot be stored as they are; empty when they can."""
    found = []
    for key, points in series.items():
        if not isinstance(key, str) or not key:
            found.append("a series key is empty or not a text")
            continue
        if problem := text_problem(key, max_chars=MAX_NAME_CHARS):
            found.append(f"series key {key[:80]!r} {problem}")
        steps = [p.step for p in points]
        if not all(type(s) is int and MIN_STEP <= s <= MAX_STEP for s in steps):
            found.append(f"the steps of series {key[:80]!r} must be 64-bit integers")
        elif len(set(steps)) != len(steps):
            found.append(f"series {key[:80]!r} has a step more than once")
        if not all(isinstance(p.value, float) or type(p.value) is int for p in points):
            found.append(f"the values of series {key[:80]!r} must be numbers")
    return found


def to_float(value: object) -> float | None:
    """A series value as a float (booleans as 0/1, NumPy scalars as their number); None when it is no number."""
    if isinstance(value, (bool, int, float)):
        return float(value)
    if value in ("NaN", "Infinity", "-Infinity"):
        return float(str(value).replace("Infinity", "inf"))
    item = getattr(value, "item", None)
    if callable(item):
        try:
            plain = item()
        except Exception:
            return None
        if isinstance(plain, (bool, int, float)):
            return float(plain)
    return None
