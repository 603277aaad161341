"""`register` and `Component`: decorators that record every call of a pipeline step.

The decorated call measures, captures what it was told to (static names, local variables,
values) and queues one RunRecord; storing happens in the background writer.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from mltrace import client as client_module
from mltrace.config import Config
from mltrace.entities import PointerRecord, RunRecord
from mltrace.tracking import context
from mltrace.tracking.capture import call_capturing_locals
from mltrace.tracking.hashing import file_fingerprint
from mltrace.tracking.pointers import looks_loggable, pointer_with_value, pointers_from_value
from mltrace.tracking.testing import ComponentTestError, Test

log = logging.getLogger("mltrace")
_THIRTY_DAYS = 60.0 * 60 * 24 * 30


@dataclass(frozen=True)
class CaptureSpec:
    """What one decorator was told to record; validated when the decorator is applied."""

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
    owner: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    before_tests: tuple[type[Test], ...] = ()
    after_tests: tuple[type[Test], ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def needs_locals(self) -> bool:
        return bool(
            self.input_vars
            or self.output_vars
            or self.input_kwargs
            or self.output_kwargs
            or self.auto_log
            or self.after_tests
        )


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
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Records every call of the decorated function as a run of `component_name`.

    `inputs`/`outputs` are fixed pointer names; `input_vars`/`output_vars` name local variables
    whose values (read at return) are pointer names; a list gives one pointer per element.
    `input_kwargs`/`output_kwargs` map a local holding a name to a local holding its value.
    `staleness_threshold` (seconds or a timedelta) defaults to MLTRACE_STALENESS_DAYS (30 days).
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
    )
    return lambda func: instrument(func, spec)


def make_spec(component_name: str, **options: Any) -> CaptureSpec:
    """Validates decorator arguments; TypeError names the one that is wrong."""
    if not isinstance(component_name, str) or not component_name.strip():
        raise TypeError("component_name must be a non-empty string")
    values: dict[str, Any] = {"component": component_name}
    for name in ("inputs", "outputs", "input_vars", "output_vars", "tags"):
        if name in options:
            values[name] = _names(name, options[name])
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
    for name in ("endpoint", "auto_log"):
        if name in options:
            if not isinstance(options[name], bool):
                raise TypeError(f"{name} must be True or False")
            values[name] = options[name]
    for name in ("owner", "description"):
        if options.get(name) is not None:
            values[name] = str(options[name])
    return CaptureSpec(**values)


def _names(what: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not all(isinstance(v, str) for v in value or ()):
        raise TypeError(f"{what} must be a list of strings, got {value!r}")
    return tuple(value or ())


def instrument(func: Callable[..., Any], spec: CaptureSpec) -> Callable[..., Any]:
    """Wraps `func` so that each call is captured according to `spec`."""
    if not callable(func):
        raise TypeError("the decorator must be applied to a function")
    code_snapshot, code_hash = _code_of(func)
    signature = _signature_of(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = datetime.now(timezone.utc)
        static_inputs = [PointerRecord(n, file_fingerprint(n)) for n in spec.inputs]
        arguments = _bind(signature, args, kwargs) if (spec.auto_log or spec.before_tests) else {}
        test_results: list[dict[str, Any]] = []
        if spec.before_tests:
            test_results += _run_tests(spec.before_tests, "before", arguments)
        active = context.push()
        local_vars: dict[str, Any] = {}

        def finish(error: BaseException | None) -> None:
            _submit(
                spec, start, static_inputs, arguments, local_vars, active, code_snapshot, code_hash, test_results, error
            )

        try:
            if spec.needs_locals:
                value = call_capturing_locals(func, args, kwargs, local_vars)
            else:
                value = func(*args, **kwargs)
        except BaseException as exc:
            finish(exc)
            raise
        finally:
            context.pop()
        if spec.after_tests:
            test_results += _run_tests(spec.after_tests, "after", local_vars)
        failed = next((r for r in test_results if not r["passed"]), None)
        error = ComponentTestError(f"{failed['test']}.{failed['name']} failed: {failed['error']}") if failed else None
        finish(error)
        if error is not None:
            raise error
        return value

    wrapper.__mltrace_spec__ = spec  # type: ignore[attr-defined]
    return wrapper


def _submit(
    spec: CaptureSpec,
    start: datetime,
    static_inputs: list[PointerRecord],
    arguments: dict[str, Any],
    local_vars: dict[str, Any],
    active: context.ActiveRun,
    code_snapshot: str | None,
    code_hash: str | None,
    test_results: list[dict[str, Any]],
    error: BaseException | None,
) -> None:
    """Builds and queues the record; never raises."""
    try:
        end = datetime.now(timezone.utc)
        notes: list[str] = []
        inputs = (
            static_inputs + active.inputs + _from_vars(spec, "input_vars", spec.input_vars, local_vars, False, notes)
        )
        outputs = (
            [PointerRecord(n, file_fingerprint(n), "endpoint" if spec.endpoint else None) for n in spec.outputs]
            + active.outputs
            + _from_vars(spec, "output_vars", spec.output_vars, local_vars, spec.endpoint, notes)
        )
        inputs += _from_kwargs(spec, "input_kwargs", spec.input_kwargs, local_vars, False, notes)
        outputs += _from_kwargs(spec, "output_kwargs", spec.output_kwargs, local_vars, spec.endpoint, notes)
        if spec.auto_log:
            logged_in = {k for k, v in arguments.items() if looks_loggable(v)}
            for k in sorted(logged_in):
                inputs += pointers_from_value(arguments[k])
            for k, v in sorted(local_vars.items()):
                if k not in arguments and looks_loggable(v):
                    outputs += pointers_from_value(v, spec.endpoint)
        record = RunRecord(
            component=spec.component,
            start=start,
            end=end,
            status="success" if error is None else "failed",
            error=None if error is None else _describe(error),
            inputs=inputs,
            outputs=outputs,
            code_snapshot=code_snapshot,
            code_hash=code_hash,
            test_results=test_results,
            warnings=notes,
            params={**spec.params, **active.params},
            metrics=dict(active.metrics),
            staleness_threshold_s=spec.staleness_threshold_s,
            component_owner=spec.owner,
            component_description=spec.description,
            component_tags=list(spec.tags),
        )
        client_module.default_client().submit(record)
    except Exception:
        log.exception("mltrace: could not record a run of %s", spec.component)


def _from_vars(
    spec: CaptureSpec, what: str, names: tuple[str, ...], local_vars: dict[str, Any], endpoint: bool, notes: list[str]
) -> list[PointerRecord]:
    found: list[PointerRecord] = []
    for name in names:
        if name not in local_vars:
            _warn_missing(spec, what, name, notes)
            continue
        found += pointers_from_value(local_vars[name], endpoint)
    return found


def _from_kwargs(
    spec: CaptureSpec,
    what: str,
    pairs: tuple[tuple[str, str], ...],
    local_vars: dict[str, Any],
    endpoint: bool,
    notes: list[str],
) -> list[PointerRecord]:
    found: list[PointerRecord] = []
    for key, value_name in pairs:
        missing = [n for n in (key, value_name) if n not in local_vars]
        for name in missing:
            _warn_missing(spec, what, name, notes)
        if missing or local_vars[key] is None:
            continue
        names, values = local_vars[key], local_vars[value_name]
        if isinstance(names, (list, tuple)):
            if not isinstance(values, (list, tuple)) or len(values) != len(names):
                _note(notes, f"{what} of '{spec.component}': '{value_name}' must be a list as long as '{key}'.")
                continue
            found += [pointer_with_value(n, v, endpoint) for n, v in zip(names, values, strict=True)]
        else:
            found.append(pointer_with_value(names, values, endpoint))
    return found


def _warn_missing(spec: CaptureSpec, what: str, name: str, notes: list[str]) -> None:
    _note(notes, f"'{name}' named in {what} of component '{spec.component}' was not a local variable at return.")


def _note(notes: list[str], message: str) -> None:
    notes.append(message)
    try:
        warnings.warn(f"mltrace: {message}", UserWarning, stacklevel=4)
    except Exception:  # warnings turned into errors must not cost the caller its result
        log.warning("mltrace: %s", message)


def _describe(error: BaseException) -> str:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return text[-20_000:]


def _run_tests(tests: tuple[type[Test], ...], phase: str, variables: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for test_class in tests:
        results += test_class().run_tests(phase, **variables)
    return results


def _bind(signature: inspect.Signature | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    if signature is None:
        return dict(kwargs)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return dict(kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def _signature_of(func: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(func)
    except (TypeError, ValueError):
        return None


def _code_of(func: Callable[..., Any]) -> tuple[str | None, str | None]:
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return None, None
    code_hash = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    limit = Config.from_env().code_snapshot_max
    encoded = source.encode("utf-8", "surrogatepass")
    if len(encoded) > limit:
        source = encoded[:limit].decode("utf-8", "ignore") + f"\n# … cut at {limit} bytes by mltrace"
    return source, code_hash
