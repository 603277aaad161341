"""A comparison as a terminal table: a row per param, metric, fact or input, a column per run."""

from __future__ import annotations

from typing import Any

from mltrace.cli.text import count, duration, safe_text, table
from mltrace.entities.comparison import CompareRow, Comparison

_HASH_CHARS = 12  # code hashes, commits and value hashes are told apart by their start
_HASHED = {"code_hash", "git_commit"}


def comparison_table(comparison: Comparison, show_all: bool = False) -> str:
    """The differing rows (marked `*`), and the identical ones with `show_all` (else their count), then the step
    metrics' names."""
    shown = [row for row in comparison.rows if show_all or row.differs]
    headers = ["", "GROUP", "KEY", *(f"RUN {run.id}" for run in comparison.runs)]
    lines = [f"{count(len(comparison.runs), 'run')}, {count(comparison.differing, 'row')} differ."]
    if shown:
        lines.append(table(headers, [["*" if row.differs else "", row.group, row.key, *_cells(row)] for row in shown]))
    hidden = len(comparison.rows) - len(shown)
    if hidden:
        lines.append(f"{count(hidden, 'identical row')} not shown (--all shows them).")
    for metric in comparison.series:
        longest = max(s.count for s in metric.runs)
        lines.append(safe_text(f"Step metric {metric.key}: {count(len(metric.runs), 'run')}, up to {longest} steps."))
    return "\n".join(lines)


def _cells(row: CompareRow) -> list[str]:
    return [_cell(row, value) for value in row.values]


def _cell(row: CompareRow, value: Any) -> str:
    if value is None:
        return "-"
    if row.key == "duration_ms":
        return duration(value)
    if value is True and row.group == "inputs":
        return "read"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str) and (row.key in _HASHED or row.group == "inputs"):
        return value[:_HASH_CHARS]
    return str(value)
