"""The JSON form of a captured run: what the spool keeps, `POST /api/v1/runs` receives and `.rejected.ndjson`
holds (`component`, `start`, `end`, `upstream`, pointers as `{name, value_hash, type}`, and, when a run has them,
`artifacts` as `{name, digest, size, serializer}`, `cache` as `{key, parts, result_digest, result_serializer,
reused_run_key}` and `series` as `{key: {"step": [...], "value": [...], "logged": [...]}}`, three lists of one length
per metric: columns, so that a series of 100,000 points is a few megabytes, not one object per point)."""

from __future__ import annotations

import dataclasses
from typing import Any

from mltrace.entities.artifact import ArtifactRef, CacheEntry
from mltrace.entities.component_run import ComponentRun
from mltrace.entities.io_pointer import IOPointer, PointerType
from mltrace.entities.json_values import strict_json
from mltrace.entities.series import Series, SeriesPoint, to_float
from mltrace.entities.times import parse_utc, utc

# the fields with the same name in JSON and on ComponentRun
_SAME = (
    "status",
    "error",
    "code_snapshot",
    "code_hash",
    "git_hash",
    "git_tags",
    "notes",
    "warnings",
    "staleness_threshold_s",
    "component_owner",
    "component_description",
    "component_tags",
    "key",
)
_RENAMED = {"component": "component_name", "upstream": "dependencies"}
_FREE_FORM = ("params", "metrics", "test_results")
_OPTIONAL = ("artifacts", "cache", "series")  # written only when a run has them
_TYPES = {t.value: t for t in PointerType}
_FIELDS = frozenset({*_SAME, *_RENAMED, *_FREE_FORM, "start", "end", "inputs", "outputs", *_OPTIONAL})
_POINTER_FIELDS = frozenset({"name", "value_hash", "type"})
# ComponentRun's argument for each field, as the interned names of this module: a JSON decoder's keys are not
# interned, and Python matches such keyword arguments by comparing texts (ComponentRun(**fields) of a spooled run:
# 5.1 µs with the decoder's keys, 1.2 µs with these)
_ARGUMENT_OF = {name: _RENAMED.get(name, name) for name in _FIELDS}


def to_wire(run: ComponentRun) -> dict[str, Any]:
    """A JSON-safe dict of the captured run: times as ISO 8601, params, metrics and test results as
    `strict_json` stores them (so no nesting or value can make `json.dumps` fail)."""
    data: dict[str, Any] = {name: getattr(run, name) for name in _SAME}
    data["component"] = run.component_name
    data["start"] = None if run.start_timestamp is None else run.start_timestamp.isoformat()
    data["end"] = None if run.end_timestamp is None else run.end_timestamp.isoformat()
    data["upstream"] = run.dependencies
    data["inputs"] = [_pointer(p) for p in run.inputs]
    data["outputs"] = [_pointer(p) for p in run.outputs]
    for name in _FREE_FORM:
        data[name] = strict_json(getattr(run, name))
    if run.artifacts:
        data["artifacts"] = [
            {"name": a.name, "digest": a.digest, "size": a.size, "serializer": a.serializer} for a in run.artifacts
        ]
    if run.cache is not None:
        data["cache"] = dataclasses.asdict(run.cache)
    if run.series:
        data["series"] = {key: series_columns(points) for key, points in run.series.items()}
    return data


def series_columns(points: list[SeriesPoint]) -> dict[str, list[Any]]:
    """One series as the wire's three columns (values as strict JSON: NaN as "NaN")."""
    return {
        "step": [p.step for p in points],
        "value": strict_json([p.value for p in points]),
        "logged": [p.logged.isoformat() for p in points],
    }


def series_from_columns(data: dict[str, Any]) -> Series:
    """`to_wire`'s `series` back as points; ValueError when a series' columns differ in length or hold no number."""
    series: Series = {}
    for key, columns in data.items():
        unknown = set(columns) - {"step", "value", "logged"}
        if unknown:
            raise TypeError(f"unknown series fields: {', '.join(sorted(unknown))}")
        steps, values, times = columns["step"], columns["value"], columns["logged"]
        if not len(steps) == len(values) == len(times):
            raise ValueError(f"the step, value and logged lists of series {key[:80]!r} differ in length")
        numbers = [to_float(v) for v in values]
        if None in numbers:
            raise ValueError(f"series {key[:80]!r} holds a value that is not a number")
        if not all(type(step) is int for step in steps):
            raise ValueError(f"series {key[:80]!r} holds a step that is not an integer")
        series[key] = [
            SeriesPoint(step, number, _time(logged))  # type: ignore[arg-type]
            for step, number, logged in zip(steps, numbers, times, strict=True)
        ]
    return series


def from_wire(data: dict[str, Any]) -> ComponentRun:
    """A captured run from `to_wire`'s form; ValueError, TypeError or KeyError when it is not one."""
    if not isinstance(data, dict):
        raise TypeError(f"a run is a JSON object, not {type(data).__name__}")
    unknown = data.keys() - _FIELDS
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {_ARGUMENT_OF[name]: value for name, value in data.items()}
    values["start_timestamp"] = _time(values.pop("start"))
    values["end_timestamp"] = _time(values.pop("end"))
    values["inputs"] = [_from_pointer(p) for p in values.get("inputs", [])]
    values["outputs"] = [_from_pointer(p) for p in values.get("outputs", [])]
    if "artifacts" in values:  # the optional fields, only when the run has them (most runs: none)
        values["artifacts"] = [ArtifactRef(**a) for a in values["artifacts"] or []]
    cache = values.get("cache")
    if cache is not None:
        values["cache"] = CacheEntry(**{**cache, "parts": dict(cache.get("parts") or {})})
    if "series" in values:
        values["series"] = series_from_columns(values["series"] or {})
    return ComponentRun(**values)


def _pointer(pointer: IOPointer) -> dict[str, Any]:
    typed = pointer.pointer_type is not PointerType.UNKNOWN
    return {
        "name": pointer.name,
        "value_hash": pointer.value_hash,
        "type": pointer.pointer_type.value if typed else None,
    }


def _from_pointer(data: dict[str, Any]) -> IOPointer:
    if not isinstance(data, dict):
        raise TypeError(f"a pointer is a JSON object, not {type(data).__name__}")
    unknown = data.keys() - _POINTER_FIELDS
    if unknown:
        raise TypeError(f"unknown pointer fields: {', '.join(sorted(unknown))}")
    kind = data.get("type")
    return IOPointer(data["name"], PointerType.UNKNOWN if kind is None else _TYPES[kind], data.get("value_hash"))


def _time(value: Any) -> Any:
    return utc(value) if hasattr(value, "tzinfo") else parse_utc(value)
