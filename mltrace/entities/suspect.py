"""Why a run or an output is suspect: a flagged output or a failed test upstream of it (computed on read)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SuspectMark:
    """One reason a run or output is suspect, and where it came from: `output:<output id>` (a flagged output
    it descends from) or `run:<run id>` (an upstream run with a failed test)."""

    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class RunSuspicion:
    """The marks of a run (`run`) and of the outputs it wrote (`outputs`: the run's own marks, and its own failed
    tests, which make what it wrote suspect but not the run itself)."""

    run: tuple[SuspectMark, ...] = ()
    outputs: tuple[SuspectMark, ...] = ()


def flagged_output_mark(output_id: str, flag_reason: str | None) -> SuspectMark:
    """The mark of what descends from a flagged output."""
    return SuspectMark(
        f"downstream of flagged output '{output_id}'" + (f": {flag_reason}" if flag_reason else ""),
        f"output:{output_id}",
    )


def failed_test_mark(run_id: int, component: str, test: str) -> SuspectMark:
    """The mark of what descends from a run with a failed test."""
    return SuspectMark(f"downstream of run {run_id} ({component}), whose test {test} failed", f"run:{run_id}")
