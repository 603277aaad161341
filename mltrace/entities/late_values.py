"""What `set_params`/`set_metrics` accept: a value added to a stored run is a number, a string or a boolean."""

from __future__ import annotations

from typing import Any

from mltrace.entities.limits import MAX_NAME_CHARS, text_problem


def late_value_problems(what: str, values: Any) -> list[str]:
    """Why `values` (the params or metrics given for a stored run) cannot be set; empty when they can."""
    if not isinstance(values, dict):
        return [f"{what} must be a mapping of names to values"]
    found = []
    for key, value in values.items():
        if not isinstance(key, str) or not key:
            found.append(f"{what}: a name must be a non-empty text, not {key!r}")
            continue
        if problem := text_problem(key, max_chars=MAX_NAME_CHARS):
            found.append(f"{what}: the name {key[:80]!r} {problem}")
        if isinstance(value, str):
            if problem := text_problem(value):
                found.append(f"{what}: the value of {key[:80]!r} {problem}")
        elif not isinstance(value, (bool, int, float)):
            found.append(
                f"{what}: the value of {key[:80]!r} must be a number, a string or a boolean, not {type(value).__name__}"
            )
    return found
