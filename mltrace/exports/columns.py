"""The columns of the table of runs, in order, and each cell's value: one definition for DataFrames and files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mltrace.db.run_table import RunRow

LEADING = (
    "run_id",
    "component",
    "status",
    "started",
    "ended",
    "duration_ms",
    "git_commit",
    "code_hash",
    "tags",
)
TRAILING = ("inputs_count", "outputs_count")


def value_columns(param_keys: Iterable[str], metric_keys: Iterable[str]) -> list[str]:
    """`params.<key>` for each param key, then `metrics.<key>` for each metric key, each sorted."""
    return [f"params.{k}" for k in sorted(param_keys)] + [f"metrics.{k}" for k in sorted(metric_keys)]


def all_columns(param_keys: Iterable[str], metric_keys: Iterable[str]) -> list[str]:
    """Every column of the table, in order."""
    return [*LEADING, *value_columns(param_keys, metric_keys), *TRAILING]


def leading_values(row: RunRow) -> tuple[Any, ...]:
    """The cells of LEADING for one run."""
    return (
        row.run_id,
        row.component,
        row.status,
        row.started,
        row.ended,
        row.duration_ms,
        row.git_commit,
        row.code_hash,
        row.tags,
    )


def cell(row: RunRow, column: str) -> Any:
    """The value of a `params.` or `metrics.` column for one run; `MISSING` when the run has no such key."""
    if column.startswith("params."):
        return row.params.get(column[7:], MISSING)
    return row.metrics.get(column[8:], MISSING)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
