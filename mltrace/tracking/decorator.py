"""`register` and `instrument`: decorators that record every call of a pipeline step.

The wrapper has the function's kind: a coroutine function's wrapper is itself `async def` and records
the run when the awaited body ends; a generator's (or async generator's) records it when the generator
is exhausted, raises or is closed, with its local variables at that point (a generator never started
records nothing). The run is active, for `log_params`, `save` and the like, only while the body runs.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Callable, Generator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from mltrace.tracking import context
from mltrace.tracking.call import Call, Step
from mltrace.tracking.capture import locals_capturing, suspended_locals
from mltrace.tracking.spec import CaptureSpec, make_spec


def register(
    component_name: str,
    inputs: Sequence[str] = (),
    outputs: Sequence[str] = (),
    input_vars: Sequence[str] = (),
    output_vars: Sequence[str] = (),
    input_kwargs: Mapping[str, str] | None = None,
    output_kwargs: Mapping[str, str] | None = None,
    endpoint: bool = False,
    staleness_threshold: int | float | timedelta | None = None,
    auto_log: bool = False,
    cache: bool = False,
    log_args: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Records every call of the decorated function as a run of `component_name`.

    `inputs`/`outputs` are fixed pointer names; `input_vars`/`output_vars` name local variables
    whose values (read at return) are pointer names; a list gives one pointer per element.
    `input_kwargs`/`output_kwargs` map a local holding a name to a local holding its value.
    `staleness_threshold` (seconds or a timedelta) defaults to MLTRACE_STALENESS_DAYS (30 days).
    `cache=True`: a call whose key (code, arguments by content, params) matches a successful earlier run returns
    that run's stored result without running the body (see `tracking/caching.py`; the step must be deterministic).
    `log_args=False`: the call's scalar arguments (numbers, booleans, strings of at most 200 characters) are not
    recorded as params (`tracking/arguments.py`).
    """
    spec = make_spec(
        component_name,
        inputs=inputs,
        outputs=outputs,
        input_vars=input_vars,
        output_vars=output_vars,
        input_kwargs=input_kwargs,
        output_kwargs=output_kwargs,
        endpoint=endpoint,
        staleness_threshold=staleness_threshold,
        auto_log=auto_log,
        cache=cache,
        log_args=log_args,
    )
    return lambda func: instrument(func, spec)


def instrument(func: Callable[..., Any], spec: CaptureSpec) -> Callable[..., Any]:
    """Wraps `func` so that each call is captured according to `spec`."""
    if not callable(func):
        raise TypeError("the decorator must be applied to a function")
    capturing = locals_capturing(func) if spec.needs_locals else None
    step = Step.of(func, spec, capturing)
    body = capturing or func
    if spec.cache:  # decided here: a step without cache=True pays nothing for caching
        from mltrace.tracking.caching import cached_wrapper

        wrapper = cached_wrapper(step, body, func, _function_wrapper(step, body), _coroutine_wrapper(step, body))
    elif inspect.isasyncgenfunction(func):
        wrapper = _async_generator_wrapper(step, body)
    elif inspect.iscoroutinefunction(func):
        wrapper = _coroutine_wrapper(step, body)
    elif inspect.isgeneratorfunction(func):
        wrapper = _generator_wrapper(step, body)
    else:
        wrapper = _function_wrapper(step, body)
    functools.update_wrapper(wrapper, func)
    wrapper.__mltrace_spec__ = spec  # type: ignore[attr-defined]
    return wrapper


def _function_wrapper(step: Step, body: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        call = Call(step, args, kwargs)
        token = context.enter(call.run)
        try:
            value = body(*args, **kwargs)
        except BaseException as exc:
            context.leave(token)
            call.finish(exc)
            raise
        context.leave(token)
        failure = call.finish(None)
        if failure is not None:
            raise failure
        return value

    return wrapper


def _coroutine_wrapper(step: Step, body: Callable[..., Any]) -> Callable[..., Any]:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        call = Call(step, args, kwargs)
        token = context.enter(call.run)
        try:
            value = await body(*args, **kwargs)
        except BaseException as exc:  # CancelledError too: the run is recorded as failed
            context.leave(token)
            call.finish(exc)
            raise
        context.leave(token)
        failure = call.finish(None)
        if failure is not None:
            raise failure
        return value

    return wrapper


def _generator_wrapper(step: Step, body: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        call = Call(step, args, kwargs)
        generator = body(*args, **kwargs)
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            token = context.enter(call.run)
            try:
                item = generator.send(sent) if thrown is None else generator.throw(thrown)
            except StopIteration as stop:
                context.leave(token)
                _finish(call, None)
                return stop.value
            except BaseException as exc:
                context.leave(token)
                call.finish(exc)
                raise
            context.leave(token)
            thrown = None
            try:
                sent = yield item
            except GeneratorExit:  # closed by its consumer before it was exhausted
                call.run.local_vars = suspended_locals(generator)
                token = context.enter(call.run)
                try:
                    generator.close()
                except BaseException as exc:
                    context.leave(token)
                    call.finish(exc)
                    raise
                context.leave(token)
                _closed_early(call)
                raise
            except BaseException as exc:  # thrown in by the consumer: passed on to the body
                thrown = exc

    return wrapper


def _async_generator_wrapper(step: Step, body: Callable[..., Any]) -> Callable[..., Any]:
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        call = Call(step, args, kwargs)
        generator = body(*args, **kwargs)
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            token = context.enter(call.run)
            try:
                item = await (generator.asend(sent) if thrown is None else generator.athrow(thrown))
            except StopAsyncIteration:
                context.leave(token)
                _finish(call, None)
                return
            except BaseException as exc:
                context.leave(token)
                call.finish(exc)
                raise
            context.leave(token)
            thrown = None
            try:
                sent = yield item
            except GeneratorExit:  # closed by its consumer before it was exhausted
                call.run.local_vars = suspended_locals(generator)
                token = context.enter(call.run)
                try:
                    await generator.aclose()
                except BaseException as exc:
                    context.leave(token)
                    call.finish(exc)
                    raise
                context.leave(token)
                _closed_early(call)
                raise
            except BaseException as exc:
                thrown = exc

    return wrapper


def _finish(call: Call, error: BaseException | None) -> None:
    failure = call.finish(error)
    if failure is not None:
        raise failure


def _closed_early(call: Call) -> None:
    """Records a generator its consumer closed; a failed after-test is recorded, not raised into `close()`."""
    call.notes.append("Closed by its consumer before it was exhausted.")
    call.finish(None)
