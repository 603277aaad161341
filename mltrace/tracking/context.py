"""The decorated calls running right now in this thread or asyncio task, so that `save`/`load`,
`log_params`/`log_metrics` and the capture of local variables reach the innermost one."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mltrace.entities import IOPointer
from mltrace.entities.artifact import ArtifactRef, CacheEntry


@dataclass
class ActiveRun:
    """What a decorated call collects while it runs: pointers, params, metrics, step series and stored artifacts
    added by its body, and its local variables when it returns."""

    inputs: list[IOPointer] = field(default_factory=list)
    outputs: list[IOPointer] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    series: dict[str, dict[int, tuple[float, datetime]]] = field(default_factory=dict)  # key -> step -> point
    local_vars: dict[str, Any] = field(default_factory=dict)
    artifacts: list[ArtifactRef] = field(default_factory=list)  # outputs stored by `save`/`log_artifact`
    cache: CacheEntry | None = None  # set by a step marked cache=True


# A tuple, never changed in place: each asyncio task works on a copy of its creator's context, so
# concurrent coroutines each see their own innermost call.
_running: contextvars.ContextVar[tuple[ActiveRun, ...]] = contextvars.ContextVar("mltrace_running", default=())


def enter(run: ActiveRun) -> contextvars.Token[tuple[ActiveRun, ...]]:
    """Makes `run` the innermost running call; give the token back to `leave`."""
    return _running.set((*_running.get(), run))


def leave(token: contextvars.Token[tuple[ActiveRun, ...]]) -> None:
    """Ends the call `enter` started."""
    try:
        _running.reset(token)
    except ValueError:  # a coroutine sent to by hand from another context: its own context keeps the run
        pass


def current() -> ActiveRun | None:
    """The innermost decorated call running here, if any."""
    stack = _running.get()
    return stack[-1] if stack else None
