"""Calls a function and captures its local variables at return, without disabling
an active debugger, coverage tool or profiler (their trace function keeps running)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

TraceFn = Callable[[FrameType, str, Any], Any]


def call_capturing_locals(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], captured: dict[str, Any]
) -> Any:
    """Runs `func(*args, **kwargs)` and returns its value; fills `captured` with its locals
    at return (also when it raises)."""
    target = getattr(func, "__code__", None)
    if target is None:  # builtins, callables without Python code
        return func(*args, **kwargs)
    previous: Any = sys.gettrace()
    seen: list[FrameType] = []

    def global_tracer(frame: FrameType, event: str, arg: Any) -> Any:
        previous_local = previous(frame, event, arg) if previous is not None else None
        if frame.f_code is not target or seen:
            return previous_local
        seen.append(frame)
        if previous_local is None:
            frame.f_trace_lines = False

        def local_tracer(frame: FrameType, event: str, arg: Any) -> Any:
            nonlocal previous_local
            if event == "return":
                captured.update(frame.f_locals)
            if previous_local is not None:
                previous_local = previous_local(frame, event, arg)
            return local_tracer

        return local_tracer

    sys.settrace(global_tracer)
    try:
        return func(*args, **kwargs)
    finally:
        sys.settrace(previous)
