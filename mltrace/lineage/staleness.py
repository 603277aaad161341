"""The staleness rules: when a run's dependency is too old or it read an outdated version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DependencyFacts:
    """What the staleness rules need to know about one dependency of a run."""

    run_start: datetime
    threshold_s: float
    upstream_id: int
    upstream_component: str
    upstream_start: datetime
    pointer_name: str | None  # None for an explicit link
    newer_writer_id: int | None  # a later run that wrote another version before run_start


def staleness_messages(facts: list[DependencyFacts]) -> list[str]:
    """Messages naming the dependency, its run id and the reason, one per finding."""
    messages: list[str] = []
    for fact in facts:
        age = (fact.run_start - fact.upstream_start).total_seconds()
        if age > fact.threshold_s:
            messages.append(
                f"Dependency '{fact.upstream_component}' (run {fact.upstream_id}) started "
                f"{_days(age)} before this run (threshold {_days(fact.threshold_s)})."
            )
        if fact.newer_writer_id is not None and fact.pointer_name is not None:
            messages.append(
                f"Read an outdated version of '{fact.pointer_name}' from '{fact.upstream_component}' "
                f"(run {fact.upstream_id}): run {fact.newer_writer_id} wrote a newer version before this run started."
            )
    return sorted(set(messages), key=messages.index)


def _days(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{seconds:.0f} seconds"
