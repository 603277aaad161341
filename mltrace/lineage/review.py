"""Ranks the runs behind flagged outputs by suspicion (spectrum-based fault localisation, Ochiai)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Suspect:
    """A run upstream of some flagged outputs, with its evidence and score."""

    run_id: int
    start: datetime
    count: int  # flagged outputs downstream of the run
    passing: int  # presumed-good outputs downstream of the run
    coverage: float  # count ÷ all flagged outputs
    score: float


def ochiai(failed_covered: int, passed_covered: int, total_failed: int) -> float:
    """f / √(F·(f+p)); 0 when nothing flagged is covered."""
    if failed_covered == 0 or total_failed == 0:
        return 0.0
    return failed_covered / math.sqrt(total_failed * (failed_covered + passed_covered))


def rank_suspects(
    flagged_counts: dict[int, int], passing_counts: dict[int, int], starts: dict[int, datetime], total_flagged: int
) -> list[Suspect]:
    """Runs by score, then later start, then higher id."""
    suspects = [
        Suspect(
            run_id=run_id,
            start=starts[run_id],
            count=count,
            passing=passing_counts.get(run_id, 0),
            coverage=count / total_flagged if total_flagged else 0.0,
            score=ochiai(count, passing_counts.get(run_id, 0), total_flagged),
        )
        for run_id, count in flagged_counts.items()
    ]
    suspects.sort(key=lambda s: (-round(s.score, 12), -s.start.timestamp(), -s.run_id))
    return suspects
