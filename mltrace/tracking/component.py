"""`Component`: a pipeline step with metadata and before/after tests, used as a decorator."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from mltrace.tracking.decorator import instrument
from mltrace.tracking.spec import make_spec
from mltrace.tracking.testing import Test


class Component:
    """A named step; `@component.run(...)` records each call with its metadata and tests."""

    def __init__(
        self,
        name: str,
        owner: str = "",
        description: str = "",
        beforeTests: Sequence[type[Test]] = (),  # noqa: N803
        afterTests: Sequence[type[Test]] = (),  # noqa: N803
        tags: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.owner = owner
        self.description = description
        self.before_tests = tuple(beforeTests)
        self.after_tests = tuple(afterTests)
        self.tags = tuple(tags)
        make_spec(name, tags=list(self.tags), before_tests=self.before_tests, after_tests=self.after_tests)

    def run(
        self,
        func: Callable[..., Any] | None = None,
        *,
        inputs: Sequence[str] = (),
        outputs: Sequence[str] = (),
        input_filenames: Sequence[str] = (),
        output_filenames: Sequence[str] = (),
        input_vars: Sequence[str] = (),
        output_vars: Sequence[str] = (),
        input_kwargs: Mapping[str, str] | None = None,
        output_kwargs: Mapping[str, str] | None = None,
        endpoint: bool = False,
        staleness_threshold: int | float | timedelta | None = None,
        auto_log: bool = False,
        cache: bool = False,
        log_args: bool = True,
    ) -> Any:
        """Decorator (bare `@c.run` or `@c.run(...)`); `input_filenames`/`output_filenames` name
        local variables, as in the original, and are treated like `input_vars`/`output_vars`; `cache=True` and
        `log_args` as for `register`."""
        spec = make_spec(
            self.name,
            inputs=inputs,
            outputs=outputs,
            input_vars=[*_listed("input_filenames", input_filenames), *_listed("input_vars", input_vars)],
            output_vars=[*_listed("output_filenames", output_filenames), *_listed("output_vars", output_vars)],
            input_kwargs=input_kwargs,
            output_kwargs=output_kwargs,
            endpoint=endpoint,
            staleness_threshold=staleness_threshold,
            auto_log=auto_log,
            cache=cache,
            log_args=log_args,
            owner=self.owner,
            description=self.description,
            tags=list(self.tags),
            before_tests=self.before_tests,
            after_tests=self.after_tests,
        )
        if func is not None:
            return instrument(func, spec)
        return lambda f: instrument(f, spec)


def _listed(what: str, value: Sequence[str]) -> list[str]:
    if isinstance(value, str):
        raise TypeError(f"{what} must be a list of strings, got {value!r}")
    return list(value)
