"""`CaptureSpec`: what one decorator was told to record, validated when the decorator is applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mltrace import client as client_module
from mltrace.config import Config
from mltrace.entities.limits import MAX_NAME_CHARS, text_problem
from mltrace.tracking.testing import Test

_THIRTY_DAYS = 60.0 * 60 * 24 * 30


@dataclass(frozen=True)
class CaptureSpec:
    """What one decorator was told to record."""

    component: str
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    input_vars: tuple[str, ...] = ()
    output_vars: tuple[str, ...] = ()
    input_kwargs: tuple[tuple[str, str], ...] = ()
    output_kwargs: tuple[tuple[str, str], ...] = ()
    endpoint: bool = False
    staleness_threshold_s: float = _THIRTY_DAYS
    auto_log: bool = False
    log_args: bool = True  # record the call's scalar arguments as params (`tracking/arguments.py`)
    cache: bool = False  # return an earlier run's result when the step's key matches (`tracking/caching.py`)
    owner: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    before_tests: tuple[type[Test], ...] = ()
    after_tests: tuple[type[Test], ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def needs_locals(self) -> bool:
        """Whether a call must read the function's local variables when it returns."""
        return bool(
            self.input_vars
            or self.output_vars
            or self.input_kwargs
            or self.output_kwargs
            or self.auto_log
            or self.after_tests
        )


def make_spec(component_name: str, **options: Any) -> CaptureSpec:
    """Validates decorator arguments; TypeError names the one that is wrong."""
    if not isinstance(component_name, str) or not component_name.strip():
        raise TypeError("component_name must be a non-empty string")
    _storable("component_name", component_name, MAX_NAME_CHARS)
    values: dict[str, Any] = {"component": component_name}
    for name in ("inputs", "outputs", "input_vars", "output_vars", "tags"):
        if name in options:
            values[name] = _names(name, options[name])
    for tag in values.get("tags", ()):
        _storable("a tag", tag, MAX_NAME_CHARS)
    for name in ("input_kwargs", "output_kwargs"):
        if name in options:
            mapping = options[name] or {}
            if not isinstance(mapping, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
            ):
                raise TypeError(f"{name} must map local variable names to local variable names")
            values[name] = tuple(mapping.items())
    for name in ("before_tests", "after_tests"):
        if name in options:
            tests = tuple(options[name] or ())
            if not all(isinstance(t, type) and issubclass(t, Test) for t in tests):
                raise TypeError(f"{name} must be a list of mltrace.Test subclasses")
            values[name] = tests
    threshold = options.get("staleness_threshold")
    values["staleness_threshold_s"] = (
        Config.from_env().staleness_days * 86400.0 if threshold is None else client_module.threshold_seconds(threshold)
    )
    for name in ("endpoint", "auto_log", "log_args", "cache"):
        if name in options:
            if not isinstance(options[name], bool):
                raise TypeError(f"{name} must be True or False")
            values[name] = options[name]
    for name, max_chars in (("owner", MAX_NAME_CHARS), ("description", None)):
        if options.get(name) is not None:
            values[name] = _storable(name, str(options[name]), max_chars)
    return CaptureSpec(**values)


def _names(what: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not all(isinstance(v, str) for v in value or ()):
        raise TypeError(f"{what} must be a list of strings, got {value!r}")
    return tuple(value or ())


def _storable(what: str, text: str, max_chars: int | None) -> str:
    problem = text_problem(text, max_chars=max_chars)
    if problem is not None:
        raise TypeError(f"{what} {text[:80]!r} cannot be stored: it {problem}")
    return text
