"""Ranks the runs behind flagged outputs by suspicion: spectrum-based fault localisation (Ochiai), raised by evidence.

A run's score is its Ochiai score × (1 + the summed weights of its evidence, `lineage/evidence.py`): a run without
evidence keeps its Ochiai score, and each piece of evidence (each weighing 1) adds it once more, so evidence only
ever reorders runs that some flagged output depends on."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from mltrace.lineage.evidence import Evidence


@dataclass(frozen=True)
class Suspect:
    """A run upstream of some flagged outputs, with its evidence and score."""

    run_id: int
    start: datetime
    count: int  # flagged outputs downstream of the run
    passing: int  # presumed-good outputs downstream of the run
    coverage: float  # count ÷ all flagged outputs
    score: float
    evidence: tuple[Evidence, ...] = field(default=())


def ochiai(failed_covered: int, passed_covered: int, total_failed: int) -> float:
    """f / √(F·(f+p)); 0 when nothing flagged is covered."""
    if failed_covered == 0 or total_failed == 0:
        return 0.0
    return failed_covered / math.sqrt(total_failed * (failed_covered + passed_covered))


def suspicion(coverage_score: float, evidence: Sequence[Evidence]) -> float:
    """The Ochiai score × (1 + the weights of the evidence)."""
    return coverage_score * (1 + sum(e.weight for e in evidence))


def rank_suspects(
    flagged_counts: dict[int, int],
    passing_counts: dict[int, int],
    starts: dict[int, datetime],
    total_flagged: int,
    evidence: Mapping[int, Sequence[Evidence]] | None = None,
) -> list[Suspect]:
    """Runs by score (Ochiai raised by each run's `evidence`), then later start, then higher id."""
    evidence = evidence or {}
    suspects = [
        Suspect(
            run_id=run_id,
            start=starts[run_id],
            count=count,
            passing=passing_counts.get(run_id, 0),
            coverage=count / total_flagged if total_flagged else 0.0,
            score=suspicion(ochiai(count, passing_counts.get(run_id, 0), total_flagged), evidence.get(run_id, ())),
            evidence=tuple(evidence.get(run_id, ())),
        )
        for run_id, count in flagged_counts.items()
    ]
    suspects.sort(key=lambda s: (-round(s.score, 12), -s.start.timestamp(), -s.run_id))
    return suspects
