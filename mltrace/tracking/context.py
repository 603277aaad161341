"""The runs being captured right now in this thread, so `save`/`load` can add pointers to them."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from mltrace.entities import PointerRecord

_local = threading.local()


@dataclass
class ActiveRun:
    """Pointers, params and metrics added to the innermost decorated call while it runs."""

    inputs: list[PointerRecord] = field(default_factory=list)
    outputs: list[PointerRecord] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)


def push() -> ActiveRun:
    """Starts capturing for a decorated call."""
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    run = ActiveRun()
    stack.append(run)
    return run


def pop() -> None:
    """Ends capturing for the innermost decorated call."""
    _local.stack.pop()


def current() -> ActiveRun | None:
    """The innermost decorated call running in this thread, if any."""
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None
