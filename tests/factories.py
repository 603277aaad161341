"""Builders of captured runs for store-level tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from mltrace.entities import ComponentRun, IOPointer, new_run_key

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    """T0 plus `seconds`."""
    return T0 + timedelta(seconds=seconds)


def pointer(spec: str | tuple[str, str | None] | IOPointer) -> IOPointer:
    """`"name"`, `("name", "value hash")` or a pointer as it is."""
    if isinstance(spec, IOPointer):
        return spec
    return IOPointer(spec) if isinstance(spec, str) else IOPointer(spec[0], value_hash=spec[1])


def run(
    component: str, start: float, end: float | None = None, inputs: list = (), outputs: list = (), **extra: Any
) -> ComponentRun:
    """A captured run at T0+start seconds, one second long unless `end` is given; `upstream` names explicit
    upstream run ids (the `dependencies` of a captured run)."""
    if "upstream" in extra:
        extra["dependencies"] = extra.pop("upstream")
    extra.setdefault("key", new_run_key())
    return ComponentRun(
        component_name=component,
        start_timestamp=at(start),
        end_timestamp=at(start + 1 if end is None else end),
        inputs=[pointer(p) for p in inputs],
        outputs=[pointer(p) for p in outputs],
        **extra,
    )
