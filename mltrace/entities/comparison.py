"""What a comparison of runs answers: their values side by side, row by row, and their step series."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mltrace.entities.component_run import ComponentRun

MIN_COMPARED, MAX_COMPARED = 2, 50  # runs a comparison takes
DEFAULT_POINTS, MAX_POINTS = 200, 2000  # points per step series, as sampled for charts
GROUPS = ("params", "metrics", "run", "inputs")  # the order rows are grouped in
RUN_FACTS = ("component", "status", "code_hash", "git_commit", "duration_ms")  # the rows of the `run` group


@dataclass(frozen=True)
class CompareRow:
    """One param, metric, fact or input across the compared runs: a value per run, in the runs' order (None
    where a run has none; an input's value is its value hash, True when read without one)."""

    group: str
    key: str
    values: list[Any]
    differs: bool


@dataclass(frozen=True)
class RunSeries:
    """One run's points of one step metric, by step; `count` says how many it stored (more than listed when
    the series was sampled). A value of NaN is a NaN logged (or stored as NULL)."""

    run_id: int
    steps: list[int]
    values: list[float]
    count: int


@dataclass(frozen=True)
class StepMetric:
    """A step metric of the compared runs: a series per run that logged it."""

    key: str
    runs: list[RunSeries] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    """Runs side by side: `runs` in the order asked, `rows` differing first (then by group and key),
    `series` by key."""

    runs: list[ComponentRun]
    rows: list[CompareRow]
    series: list[StepMetric]

    @property
    def differing(self) -> int:
        """How many rows differ across the runs."""
        return sum(row.differs for row in self.rows)
