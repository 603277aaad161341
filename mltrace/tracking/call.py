"""`Call`: one call of a decorated function, from its start to the ComponentRun queued for it.

Whatever a value of the user's does (no content encoding, an unstorable name, nesting without end),
the run is kept: the value is recorded as well as it can be and the run's `warnings` say what changed.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from types import CodeType
from typing import Any

from mltrace import client as client_module
from mltrace.config import Config
from mltrace.entities import ComponentRun, IOPointer, PointerType, new_run_key
from mltrace.entities.json_values import strict_json
from mltrace.entities.limits import MAX_NAME_CHARS, cut_code, escape_unstorable
from mltrace.entities.series import Series, SeriesPoint
from mltrace.entities.times import now_utc
from mltrace.tracking import capture, context
from mltrace.tracking.arguments import ArgumentParams
from mltrace.tracking.hashing import file_fingerprint
from mltrace.tracking.pointers import fit_names, looks_loggable, pointer_with_value, pointers_from_value
from mltrace.tracking.spec import CaptureSpec
from mltrace.tracking.testing import ComponentTestError, Test

log = logging.getLogger("mltrace")


@dataclass(frozen=True)
class Step:
    """A decorated function as each of its calls needs it: what to record, its code, its signature."""

    spec: CaptureSpec
    code_snapshot: str | None
    code_hash: str | None
    signature: inspect.Signature | None
    reads_locals: bool  # False when the decorator needs locals but this function's cannot be read
    raising_code: CodeType | None  # the code whose frame holds the locals when the body raises
    argument_params: ArgumentParams | None  # None: log_args=False

    @classmethod
    def of(cls, func: Callable[..., Any], spec: CaptureSpec, body: Callable[..., Any] | None) -> Step:
        """Reads the function's source (the snapshot and its hash) and signature, once; `body` is what
        `capture.locals_capturing` made of the function, when the decorator needs its locals."""
        snapshot, code_hash = _code_of(func)
        reads_locals = body is not None or not spec.needs_locals
        signature = _signature_of(func)
        arguments = ArgumentParams(signature) if spec.log_args else None
        return cls(spec, snapshot, code_hash, signature, reads_locals, body and capture.raising_code(body), arguments)


class Call:
    """Started when the body starts; `finish` runs the after-tests and queues the record."""

    __slots__ = (
        "step",
        "start",
        "static_inputs",
        "arguments",
        "argument_params",
        "test_results",
        "run",
        "notes",
        "record",
    )

    def __init__(self, step: Step, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        spec = step.spec
        self.step = step
        self.start = now_utc()
        self.static_inputs = [IOPointer(n, value_hash=file_fingerprint(n)) for n in spec.inputs]
        self.arguments = _bind(step.signature, args, kwargs) if (spec.auto_log or spec.before_tests) else {}
        self.argument_params = step.argument_params(args, kwargs) if step.argument_params is not None else {}
        self.test_results: list[dict[str, Any]] = []
        if spec.before_tests:
            self.test_results += _run_tests(spec.before_tests, "before", self.arguments)
        self.run = context.ActiveRun()
        self.notes: list[str] = []
        self.record: ComponentRun | None = None  # the run queued by `finish`

    def finish(self, error: BaseException | None) -> ComponentTestError | None:
        """Records the call as ended with `error` (None: it returned); returns the failure of an after-test,
        which the caller raises."""
        failure = None
        if error is not None and self.step.raising_code is not None:
            self.run.local_vars = capture.locals_at_raise(error, self.step.raising_code)
        if error is None:
            if self.step.spec.after_tests:
                self.test_results += _run_tests(self.step.spec.after_tests, "after", self.run.local_vars)
            failed = next((r for r in self.test_results if not r["passed"]), None)
            if failed is not None:
                failure = ComponentTestError(f"{failed['test']}.{failed['name']} failed: {failed['error']}")
        try:
            record = self._record(error or failure)
        except Exception as exc:  # a case the per-value guards missed: keep the run without its values
            log.exception("mltrace: could not capture the values of a run of %s", self.step.spec.component)
            record = self._bare_record(error or failure, exc)
        self.record = record
        try:
            client_module.default_client().submit(record)
        except Exception:
            log.exception("mltrace: could not record a run of %s", self.step.spec.component)
        return failure

    def note(self, message: str) -> None:
        """Adds a line to the run's warnings and warns the user once per message."""
        message = escape_unstorable(message)
        self.notes.append(message)
        try:
            warnings.warn(f"mltrace: {message}", UserWarning, stacklevel=_user_stack_level())
        except Exception:  # warnings turned into errors must not cost the caller its result
            log.warning("mltrace: %s", message)

    def _record(self, error: BaseException | None) -> ComponentRun:
        end = now_utc()  # before the values are hashed: that is mltrace's time, not the step's
        spec, local_vars, note = self.step.spec, self.run.local_vars, self.note
        if not self.step.reads_locals:
            note(f"The local variables of '{spec.component}' cannot be read (its source is not available).")
        endpoint = spec.endpoint
        inputs = self.static_inputs + self.run.inputs
        kind = PointerType.ENDPOINT if endpoint else PointerType.UNKNOWN
        outputs = [IOPointer(n, kind, file_fingerprint(n)) for n in spec.outputs]
        outputs += self.run.outputs
        for name in spec.input_vars:
            inputs += self._from_local("input_vars", name, False)
        for name in spec.output_vars:
            outputs += self._from_local("output_vars", name, endpoint)
        if spec.input_kwargs:
            inputs += self._from_kwargs("input_kwargs", spec.input_kwargs, False)
        if spec.output_kwargs:
            outputs += self._from_kwargs("output_kwargs", spec.output_kwargs, endpoint)
        if spec.auto_log:
            for name, value in sorted(self.arguments.items()):
                if looks_loggable(value):
                    inputs += pointers_from_value(value, False, f"argument '{name}'", note)
            for name, value in sorted(local_vars.items()):
                if name not in self.arguments and looks_loggable(value):
                    outputs += pointers_from_value(value, endpoint, f"local variable '{name}'", note)
        return ComponentRun(
            component_name=spec.component,
            start_timestamp=self.start,
            end_timestamp=end,
            status="success" if error is None else "failed",
            error=None if error is None else _describe(error),
            inputs=fit_names(inputs, note),
            outputs=fit_names(outputs, note),
            code_snapshot=self.step.code_snapshot,
            code_hash=self.step.code_hash,
            test_results=self._json("test results", self.test_results),
            params=self._json(
                "params", self._fit_keys("params", {**self.argument_params, **spec.params, **self.run.params})
            ),
            metrics=self._json("metrics", self._fit_keys("metrics", self.run.metrics)),
            warnings=self.notes,
            staleness_threshold_s=spec.staleness_threshold_s,
            component_owner=spec.owner,
            component_description=spec.description,
            component_tags=list(spec.tags),
            key=new_run_key(),
            artifacts=list(self.run.artifacts),
            cache=self.run.cache,
            series=self._series(),
        )

    def _series(self) -> Series:
        """The step series the body logged, each ordered by step."""
        logged = self._fit_keys("series", self.run.series)
        return {key: [SeriesPoint(s, *point) for s, point in sorted(points.items())] for key, points in logged.items()}

    def _fit_keys(self, what: str, values: dict[str, Any]) -> dict[str, Any]:
        """`values` without the keys the store cannot keep (longer than MAX_NAME_CHARS), each left out with a note."""
        if all(len(str(key)) <= MAX_NAME_CHARS for key in values):
            return values
        for key in (k for k in values if len(str(k)) > MAX_NAME_CHARS):
            self.note(f"The {what} key {str(key)[:80]!r}… is longer than {MAX_NAME_CHARS} characters: not recorded.")
        return {k: v for k, v in values.items() if len(str(k)) <= MAX_NAME_CHARS}

    def _bare_record(self, error: BaseException | None, problem: Exception) -> ComponentRun:
        spec = self.step.spec
        return ComponentRun(
            component_name=spec.component,
            start_timestamp=self.start,
            end_timestamp=now_utc(),
            status="success" if error is None else "failed",
            error=None if error is None else _describe(error),
            code_snapshot=self.step.code_snapshot,
            code_hash=self.step.code_hash,
            warnings=[escape_unstorable(f"mltrace could not capture this run's values ({type(problem).__name__}).")],
            staleness_threshold_s=spec.staleness_threshold_s,
            component_owner=spec.owner,
            component_description=spec.description,
            component_tags=list(spec.tags),
            key=new_run_key(),
        )

    def _from_local(self, what: str, name: str, endpoint: bool) -> list[IOPointer]:
        if name not in self.run.local_vars:
            self._missing(what, name)
            return []
        return pointers_from_value(self.run.local_vars[name], endpoint, f"{what} '{name}'", self.note)

    def _from_kwargs(self, what: str, pairs: tuple[tuple[str, str], ...], endpoint: bool) -> list[IOPointer]:
        local_vars, found = self.run.local_vars, []
        for key, value_name in pairs:
            missing = [n for n in (key, value_name) if n not in local_vars]
            for name in missing:
                self._missing(what, name)
            if missing or local_vars[key] is None:
                continue
            names, values, label = local_vars[key], local_vars[value_name], f"{what} '{value_name}'"
            if not isinstance(names, (list, tuple)):
                names, values = [names], [values]
            elif not isinstance(values, (list, tuple)) or len(values) != len(names):
                component = self.step.spec.component
                self.note(f"{what} of '{component}': '{value_name}' must be a list as long as '{key}'.")
                continue
            for name, value in zip(names, values, strict=True):
                pointer = pointer_with_value(name, value, endpoint, label, self.note)
                found += [pointer] if pointer is not None else []
        return found

    def _missing(self, what: str, name: str) -> None:
        component = self.step.spec.component
        self.note(f"'{name}' named in {what} of component '{component}' was not a local variable at return.")

    def _json(self, what: str, value: Any) -> Any:
        """`value` as storable JSON (`strict_json`, always a copy), with a note of what had to change."""
        changes: list[str] = []
        try:
            converted = strict_json(value, changes)
        except Exception as exc:  # a key whose __str__ fails
            self.note(f"The {what} could not be recorded ({type(exc).__name__}: {exc}).")
            return type(value)()
        if changes:
            more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
            self.note(f"The {what} were changed to be storable: {'; '.join(changes[:3])}{more}.")
        return converted


def _user_stack_level() -> int:
    """The `stacklevel` of `warnings.warn` that points at the first frame outside mltrace."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "mltrace":
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


def _describe(error: BaseException) -> str:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return escape_unstorable(text[-20_000:])


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
    return cut_code(source, Config.from_env().code_snapshot_max), code_hash
