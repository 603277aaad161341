"""A trace diff as lines for a terminal: the ranked differences, the likeliest cause first."""

from __future__ import annotations

import json
from typing import Any

from mltrace.cli.text import count, safe_text
from mltrace.lineage.trace_diff import Difference, TraceDiff

_LABELS = {
    "raw_input": "raw input",
    "code": "code",
    "params": "param",
    "git": "git commit",
    "stale": "staleness",
    "input": "input",
    "metrics": "metric",
    "status": "status",
    "tests": "test results",
}


def diff_report(result: TraceDiff) -> str:
    """One line per difference (a code difference followed by its unified diff, indented), then a summary."""
    lines: list[str] = []
    for diff in result.differences:
        lines.append(safe_text(f"{diff.rank}. {_line(diff)}"))
        if diff.code_diff:
            lines += ["     " + safe_text(line) for line in diff.code_diff.splitlines()]
    shared = sum(pair.shared for pair in result.pairs)
    summary = (
        f"{count(len(result.pairs), 'run')} paired ({shared} shared), "
        f"{len(result.only_a)} only in a, {len(result.only_b)} only in b."
    )
    if result.identical:
        lines.append(safe_text(f"'{result.a}' and '{result.b}' have identical traces: {summary}"))
    else:
        lines.append(safe_text(f"a: '{result.a}', b: '{result.b}': {summary}"))
    return "\n".join(lines)


def _line(diff: Difference) -> str:
    if diff.kind in ("only_in_a", "only_in_b"):
        run_id = diff.a_run_id if diff.kind == "only_in_a" else diff.b_run_id
        return f"{diff.component} (run {run_id}) only in {diff.kind[-1]}'s trace"
    what = _LABELS[diff.kind] + (f" '{diff.key}'" if diff.key is not None else "")
    where = f"{what} of {diff.component} (run {diff.a_run_id} / run {diff.b_run_id})"
    explained = f"  (explained by {diff.explained_by})" if diff.explained_by is not None else ""
    if diff.change == "added":
        return f"{where}: only in b: {_value(diff.b)}{explained}"
    if diff.change == "removed":
        return f"{where}: only in a: {_value(diff.a)}{explained}"
    return f"{where}: {_value(diff.a)} -> {_value(diff.b)}{explained}"


def _value(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"name", "value_hash"}:  # an input
        return f"{value['name']}@{value['value_hash']}"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):  # staleness messages
        return "; ".join(value) if value else "none"
    return value if isinstance(value, str) else json.dumps(value, default=str)
