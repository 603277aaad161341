"""`ArgumentParams`: the scalar arguments of a decorated call (numbers, booleans, short strings), recorded as the
run's params (`log_args=True`, the default).

The function's signature is read once, when it is decorated; a call then only pairs its positional arguments with
names and filters by type (`Signature.bind` with its defaults took 7 times as long, timed with `timeit`). Defaults
the call did not override are recorded too, so that every run of a step has the same keys.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

MAX_ARG_CHARS = 200  # a longer string argument is not a param (a path, a query, a document: not a setting)

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def is_scalar(value: Any) -> bool:
    """Whether an argument is recorded as a param: a number, a boolean or a string of at most MAX_ARG_CHARS."""
    if isinstance(value, (int, float)):  # bool is an int
        return True
    return isinstance(value, str) and len(value) <= MAX_ARG_CHARS


class ArgumentParams:
    """The scalar arguments of calls of one function, by parameter name."""

    __slots__ = ("positional", "defaults", "named", "any_keyword")

    def __init__(self, signature: inspect.Signature | None) -> None:
        parameters = list(signature.parameters.values()) if signature is not None else []
        self.positional = tuple(p.name for p in parameters if p.kind in _POSITIONAL)
        self.defaults = {p.name: p.default for p in parameters if p.default is not p.empty and is_scalar(p.default)}
        self.named = frozenset(p.name for p in parameters if p.kind is not inspect.Parameter.POSITIONAL_ONLY)
        self.any_keyword = signature is None or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)

    @classmethod
    def of(cls, func: Callable[..., Any]) -> ArgumentParams:
        """For `func`'s signature (none readable: only its keyword arguments are recorded)."""
        try:
            return cls(inspect.signature(func))
        except (TypeError, ValueError):
            return cls(None)

    def __call__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's scalar arguments (extra positional arguments, `*args`, have no name and are left out)."""
        params = dict(self.defaults)
        for name, value in zip(self.positional, args, strict=False):  # extra ones (`*args`) have no name
            if is_scalar(value):
                params[name] = value
            else:
                params.pop(name, None)
        for name, value in kwargs.items():
            if is_scalar(value) and (name in self.named or self.any_keyword):
                params[name] = value
            else:
                params.pop(name, None)
        return params
