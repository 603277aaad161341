"""Builders of captured runs for store-level tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mltrace.entities import PointerRecord, RunRecord

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    """T0 plus `seconds`."""
    return T0 + timedelta(seconds=seconds)


def pointer(spec: str | tuple[str, str | None]) -> PointerRecord:
    """`"name"` or `("name", "value hash")`."""
    return PointerRecord(spec) if isinstance(spec, str) else PointerRecord(spec[0], spec[1])


def run(
    component: str, start: float, end: float | None = None, inputs: list = (), outputs: list = (), **extra: object
) -> RunRecord:
    """A RunRecord at T0+start seconds, one second long unless `end` is given."""
    return RunRecord(
        component=component,
        start=at(start),
        end=at(start + 1 if end is None else end),
        inputs=[pointer(p) for p in inputs],
        outputs=[pointer(p) for p in outputs],
        **extra,
    )
