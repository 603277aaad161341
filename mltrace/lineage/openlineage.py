"""OpenLineage events (spec 2-0-x) to and from mltrace runs: checking an event, building one run from all the
events of its `runId` (in any order), and a run as a START and a COMPLETE/FAIL event. Pure: no I/O.

Names: a job is the component `namespace/name`, a dataset the pointer `namespace/name`; in the namespace
`mltrace` (that of mltrace's own runs, `NAMESPACE`) the name alone, so that mltrace's runs sent out and read back
keep their names. A run's key is `ol-` and its runId; a run logged by mltrace is sent with the runId
`uuid5(NAMESPACE_URL, "mltrace:" + key)`.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mltrace.entities import ComponentRun, IOPointer, PointerType
from mltrace.entities.limits import (
    MAX_DIGEST_CHARS,
    MAX_NAME_CHARS,
    MAX_POINTER_NAME_BYTES,
    MAX_VALUE_HASH_CHARS,
    text_problem,
)
from mltrace.entities.times import iso_utc, parse_utc

NAMESPACE = "mltrace"
KEY_PREFIX = "ol-"
EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
TERMINAL = {"COMPLETE": "success", "FAIL": "failed", "ABORT": "failed"}
PRODUCER = "urn:mltrace"  # a URI naming the producer, as the spec asks
SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
FACET_SPEC = "https://openlineage.io/spec/facets/1-0-0"
MLTRACE_FACET = "mltrace"  # a run facet (params, metrics, notes…) and a dataset facet (the pointer type) of our own
_ORDER = {
    kind: position for position, kind in enumerate(("START", "RUNNING", "OTHER", None, "COMPLETE", "FAIL", "ABORT"))
}
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass
class MappedRun:
    """The mltrace run built from a runId's events, with what the store keeps beside it."""

    record: ComponentRun
    parent_uuid: str | None
    job: tuple[str, str]
    datasets: dict[str, tuple[str, str]] = field(default_factory=dict)  # pointer name -> (namespace, name)


# --- names -----------------------------------------------------------------


def mltrace_name(namespace: str, name: str) -> str:
    """The component or pointer name of an OpenLineage (namespace, name)."""
    return name if namespace == NAMESPACE else f"{namespace}/{name}"


def run_key(run_uuid: str) -> str:
    """The key of the mltrace run of an OpenLineage runId."""
    return KEY_PREFIX + str(uuid.UUID(run_uuid))


def run_uuid_of(key: str) -> str:
    """The runId mltrace sends a run with: the one it came with, or one derived from its key."""
    if key.startswith(KEY_PREFIX):
        try:
            return str(uuid.UUID(key[len(KEY_PREFIX) :]))
        except ValueError:
            pass
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "mltrace:" + key))


def event_digest(event: dict[str, Any]) -> str:
    """SHA-256 of the event's canonical JSON: the same event sent twice is stored once."""
    return hashlib.sha256(json.dumps(event, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def event_time(text: str) -> datetime:
    """An event's time as aware UTC (more than 6 fraction digits are cut); ValueError if it is not one."""
    if "t" not in text.lower():
        raise ValueError(f"not a date-time with a time: {text!r}")
    return parse_utc(_FRACTION.sub(r"\1", text))


# --- checking --------------------------------------------------------------


def event_kind(event: dict[str, Any]) -> str:
    """`run`, `job` or `dataset`: which of RunEvent, JobEvent and DatasetEvent `event` is."""
    if "run" in event:
        return "run"
    if "dataset" in event:
        return "dataset"
    return "job"


def event_problems(event: Any) -> dict[str, Any]:
    """What makes `event` no OpenLineage event mltrace can keep, as marshmallow-style messages by field; empty
    when it is one. Facets mltrace does not know are not looked at (kept as they are)."""
    if not isinstance(event, dict):
        return {"_schema": ["An OpenLineage event must be a JSON object."]}
    found: dict[str, Any] = {}
    for name in ("eventTime", "producer", "schemaURL"):
        if not isinstance(event.get(name), str):
            found[name] = ["Missing data for required field." if name not in event else "Not a valid string."]
    if "eventTime" not in found:
        try:
            event_time(event["eventTime"])
        except ValueError:
            found["eventTime"] = ["Not a valid ISO 8601 date-time."]
    kind = event_kind(event)
    if kind == "dataset":
        _dataset_problems(event.get("dataset"), "dataset", found)
        return found
    if kind == "run":
        run = event.get("run")
        if not isinstance(run, dict):
            found["run"] = ["Must be an object with a runId."]
        else:
            problems = _run_problems(run)
            if problems:
                found["run"] = problems
        event_type = event.get("eventType")
        if event_type is not None and event_type not in EVENT_TYPES:
            found["eventType"] = [f"Must be one of: {', '.join(EVENT_TYPES)}."]
    elif "job" not in event:
        found["_schema"] = ["Not a RunEvent (run and job), a JobEvent (job) or a DatasetEvent (dataset)."]
        return found
    job = event.get("job")
    job_problems = _job_problems(job)
    if job_problems:
        found["job"] = job_problems
    for side in ("inputs", "outputs"):
        datasets = event.get(side)
        if datasets is None:
            continue
        if not isinstance(datasets, list):
            found[side] = ["Not a valid list."]
            continue
        by_position: dict[str, Any] = {}
        for position, dataset in enumerate(datasets):
            _dataset_problems(dataset, str(position), by_position)
        if by_position:
            found[side] = by_position
    return found


def _facets_problem(facets: Any) -> list[str]:
    if facets is None or isinstance(facets, dict) and all(isinstance(v, dict) for v in facets.values()):
        return []
    return ["Facets must be an object of objects."]


def _run_problems(run: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if not _is_uuid(run.get("runId")):
        found["runId"] = ["Must be a UUID."]
    if problem := _facets_problem(run.get("facets")):
        found["facets"] = problem
        return found
    facets = run.get("facets") or {}
    parent = facets.get("parent")
    if parent is not None and not _is_uuid((parent.get("run") or {}).get("runId")):
        found["facets.parent"] = ["run.runId must be a UUID."]
    message = facets.get("errorMessage", {}).get("message", "")
    if not isinstance(message, str) or text_problem(message):
        found["facets.errorMessage"] = ["message must be text without NUL or lone surrogates."]
    nominal = facets.get("nominalTime")
    if nominal is not None:
        try:
            event_time(nominal["nominalStartTime"])
        except (KeyError, TypeError, ValueError):
            found["facets.nominalTime"] = ["nominalStartTime must be an ISO 8601 date-time."]
    return found


def _job_problems(job: Any) -> dict[str, list[str]]:
    if not isinstance(job, dict):
        return {"_schema": ["Must be an object with a namespace and a name."]}
    found = _name_problems(job, MAX_NAME_CHARS, None)
    if problem := _facets_problem(job.get("facets")):
        found["facets"] = problem
        return found
    code = (job.get("facets") or {}).get("sourceCode")
    if code is not None and (not isinstance(code.get("sourceCode"), str) or text_problem(code["sourceCode"])):
        found["facets.sourceCode"] = ["sourceCode must be text without NUL or lone surrogates."]
    return found


def _dataset_problems(dataset: Any, where: str, found: dict[str, Any]) -> None:
    if not isinstance(dataset, dict):
        found[where] = ["Must be an object with a namespace and a name."]
        return
    problems: dict[str, list[str]] = _name_problems(dataset, None, MAX_POINTER_NAME_BYTES)
    for facets_field in ("facets", "inputFacets", "outputFacets"):
        if problem := _facets_problem(dataset.get(facets_field)):
            problems[facets_field] = problem
    version = (dataset.get("facets") or {}).get("version") if "facets" not in problems else None
    if version is not None and not isinstance(version.get("datasetVersion"), str):
        problems["facets.version"] = ["datasetVersion must be text."]
    if problems:
        found[where] = problems


def _name_problems(entity: dict[str, Any], max_chars: int | None, max_bytes: int | None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in ("namespace", "name"):
        value = entity.get(key)
        if not isinstance(value, str) or not value:
            found[key] = ["Must be a non-empty string."]
    if found:
        return found
    full = mltrace_name(entity["namespace"], entity["name"])
    if problem := text_problem(full, max_chars=max_chars, max_bytes=max_bytes):
        found["name"] = [f"namespace/name {problem}"]
    return found


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


# --- in: events to a run ---------------------------------------------------


def sort_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events in the order they mean, whatever order they came in: by time, then START before RUNNING before
    the end, then by content."""
    return sorted(
        events, key=lambda e: (event_time(e["eventTime"]), _ORDER.get(e.get("eventType"), 3), event_digest(e))
    )


def run_from_events(run_uuid: str, events: list[dict[str, Any]]) -> MappedRun:
    """The mltrace run of one runId from all its (checked) RunEvents, merged: the same run for any order."""
    ordered = sort_events(events)
    times = [event_time(e["eventTime"]) for e in ordered]
    starts = [t for e, t in zip(ordered, times, strict=True) if e.get("eventType") == "START"]
    ends = [(t, e) for e, t in zip(ordered, times, strict=True) if e.get("eventType") in TERMINAL]
    start = starts[0] if starts else times[0]
    run_facets = _merged(e["run"].get("facets") for e in ordered)
    job_facets = _merged(e["job"].get("facets") for e in ordered)
    job = (ordered[-1]["job"]["namespace"], ordered[-1]["job"]["name"])
    record = ComponentRun(mltrace_name(*job), key=run_key(run_uuid), start_timestamp=start)
    if ends:
        end, last = ends[-1]
        record.status = TERMINAL[last["eventType"]]
        if last["eventType"] == "ABORT":
            record.error = "aborted"
    else:
        end, record.status = times[-1], "running"
    record.end_timestamp = max(end, start)
    error = run_facets.get("errorMessage")
    if error is not None and record.status == "failed":
        record.error = "\n".join(t for t in (error.get("message"), error.get("stackTrace")) if isinstance(t, str))
    _apply_code(record, job_facets)
    _apply_run_facets(record, run_facets)
    _apply_job_facets(record, job_facets)
    datasets: dict[str, tuple[str, str]] = {}
    for side, target in (("inputs", record.inputs), ("outputs", record.outputs)):
        merged: dict[str, dict[str, Any]] = {}
        for event in ordered:
            for dataset in event.get(side) or []:
                name = mltrace_name(dataset["namespace"], dataset["name"])
                datasets[name] = (dataset["namespace"], dataset["name"])
                merged.setdefault(name, {}).update(dataset.get("facets") or {})
        target.extend(_pointer(name, facets) for name, facets in merged.items())
    parent = (run_facets.get("parent") or {}).get("run", {}).get("runId")
    return MappedRun(record, None if parent is None else str(uuid.UUID(parent)), job, datasets)


def datasets_of(event: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(namespace, name, facets) of every dataset an event names."""
    if event_kind(event) == "dataset":
        found = [event["dataset"]]
    else:
        found = [*(event.get("inputs") or []), *(event.get("outputs") or [])]
    return [(d["namespace"], d["name"], d.get("facets") or {}) for d in found]


def pointer_of(namespace: str, name: str, facets: dict[str, Any]) -> IOPointer:
    """The pointer of a dataset (its version from the `version` facet)."""
    return _pointer(mltrace_name(namespace, name), facets)


def _pointer(name: str, facets: dict[str, Any]) -> IOPointer:
    version = (facets.get("version") or {}).get("datasetVersion")
    kind = (facets.get(MLTRACE_FACET) or {}).get("type")
    types = {t.value: t for t in PointerType}
    return IOPointer(
        name, types.get(str(kind), PointerType.UNKNOWN), None if version is None else _fit_version(version)
    )


def _fit_version(version: str) -> str:
    """A dataset version as a value hash: as it is, or its SHA-256 when longer than a value hash may be."""
    if len(version) <= MAX_VALUE_HASH_CHARS and not text_problem(version):
        return version
    return "sha256:" + hashlib.sha256(version.encode("utf-8", "surrogatepass")).hexdigest()


def _merged(facet_maps: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for facets in facet_maps:
        merged.update(facets or {})
    return merged


def _apply_code(record: ComponentRun, job_facets: dict[str, Any]) -> None:
    code = job_facets.get("sourceCode")
    location = job_facets.get("sourceCodeLocation")
    if isinstance(code, dict) and isinstance(code.get("sourceCode"), str):
        record.set_code_snapshot(code["sourceCode"])
    elif isinstance(location, dict):
        parts = [str(location.get(k)) for k in ("type", "url", "path") if location.get(k)]
        at = f" at {location['version']}" if location.get("version") else ""
        record.set_code_snapshot(f"# {' '.join(parts)}{at}\n")
    version = location.get("version") if isinstance(location, dict) else None
    if isinstance(version, str) and not text_problem(version, max_chars=MAX_DIGEST_CHARS):
        record.git_hash = version


def _apply_run_facets(record: ComponentRun, facets: dict[str, Any]) -> None:
    ours = facets.get(MLTRACE_FACET) or {}
    for name in ("params", "metrics"):
        if isinstance(ours.get(name), dict):
            setattr(record, name, dict(ours[name]))
    if isinstance(ours.get("notes"), str):
        record.notes = ours["notes"]
    if isinstance(ours.get("test_results"), list):
        record.test_results = list(ours["test_results"])
    nominal = facets.get("nominalTime")
    if isinstance(nominal, dict):
        record.params["openlineage.nominal_start_time"] = iso_utc(event_time(nominal["nominalStartTime"]))
        if isinstance(nominal.get("nominalEndTime"), str):
            try:
                record.params["openlineage.nominal_end_time"] = iso_utc(event_time(nominal["nominalEndTime"]))
            except ValueError:
                record.params["openlineage.nominal_end_time"] = nominal["nominalEndTime"]
    tags = _tags(facets.get("tags"))
    if tags:
        record.params["openlineage.tags"] = tags


def _apply_job_facets(record: ComponentRun, facets: dict[str, Any]) -> None:
    tags = (f"{k}={v}" if v not in ("", "true") else k for k, v in _tags(facets.get("tags")).items())
    record.component_tags = sorted(t for t in tags if not text_problem(t, max_chars=MAX_NAME_CHARS))
    documentation = facets.get("documentation")
    description = documentation.get("description") if isinstance(documentation, dict) else None
    if isinstance(description, str) and not text_problem(description):
        record.component_description = description
    owners = (facets.get("ownership") or {}).get("owners")
    owner = owners[0].get("name") if isinstance(owners, list) and owners and isinstance(owners[0], dict) else None
    if isinstance(owner, str) and not text_problem(owner, max_chars=MAX_NAME_CHARS):
        record.component_owner = owner


def _tags(facet: Any) -> dict[str, str]:
    if not isinstance(facet, dict) or not isinstance(facet.get("tags"), list):
        return {}
    return {
        str(t["key"]): str(t.get("value", ""))
        for t in facet["tags"]
        if isinstance(t, dict) and isinstance(t.get("key"), str) and t["key"]
    }


# --- out: a run to events ----------------------------------------------------


def run_events(
    run: ComponentRun,
    names: dict[tuple[str, str], tuple[str, str]] | None = None,
    kept_facets: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """A run as OpenLineage RunEvents: START at its start, then COMPLETE or FAIL at its end (a running run: START
    alone). `names` gives the (namespace, name) of components (`("job", name)`) and pointers (`("dataset", name)`)
    that came in as OpenLineage; others are in the namespace `mltrace`. `kept_facets` (`run`, `job`) are facets
    the run came in with, sent on as they came (mltrace's own facets win)."""
    names = names or {}
    kept = kept_facets or {}
    run_id = run_uuid_of(run.key) if run.key else str(uuid.uuid5(uuid.NAMESPACE_URL, f"mltrace-run:{run.id}"))
    job_ns, job_name = names.get(("job", run.component_name), (NAMESPACE, run.component_name))
    job_facets: dict[str, Any] = dict(kept.get("job") or {})
    if run.code_snapshot is not None:
        job_facets["sourceCode"] = _facet("SourceCodeJobFacet", language="python", sourceCode=run.code_snapshot)
    job = {"namespace": job_ns, "name": job_name, "facets": job_facets}
    ours = {"params": run.params, "metrics": run.metrics, "notes": run.notes, "test_results": run.test_results}
    if run.git_hash:
        ours["git_hash"] = run.git_hash
    run_facets: dict[str, Any] = {**(kept.get("run") or {}), MLTRACE_FACET: _facet("MltraceRunFacet", **ours)}
    inputs = [_dataset(p, names) for p in run.inputs]
    start: dict[str, Any] = {
        "eventType": "START",
        "eventTime": iso_utc(run.start_timestamp) if run.start_timestamp else None,
        "producer": PRODUCER,
        "schemaURL": f"{SPEC}#/$defs/RunEvent",
        "run": {"runId": run_id, "facets": run_facets},
        "job": job,
        "inputs": inputs,
        "outputs": [],
    }
    if run.status == "running":
        return [start]
    end_facets = dict(run_facets)
    end_facets.pop("errorMessage", None)
    if run.status == "failed" and run.error:
        end_facets["errorMessage"] = _facet("ErrorMessageRunFacet", message=run.error, programmingLanguage="python")
    end = {
        **start,
        "eventType": "FAIL" if run.status == "failed" else "COMPLETE",
        "eventTime": iso_utc(run.end_timestamp or run.start_timestamp),  # type: ignore[arg-type]
        "run": {"runId": run_id, "facets": end_facets},
        "outputs": [_dataset(p, names) for p in run.outputs],
    }
    start["run"]["facets"] = {k: v for k, v in run_facets.items() if k != "errorMessage"}
    return [start, end]


def _dataset(pointer: IOPointer, names: dict[tuple[str, str], tuple[str, str]]) -> dict[str, Any]:
    namespace, name = names.get(("dataset", pointer.name), (NAMESPACE, pointer.name))
    facets: dict[str, Any] = {MLTRACE_FACET: _facet("MltraceDatasetFacet", type=pointer.pointer_type.value)}
    if pointer.value_hash is not None:
        facets["version"] = _facet("DatasetVersionDatasetFacet", datasetVersion=pointer.value_hash)
    return {"namespace": namespace, "name": name, "facets": facets}


def _facet(schema: str, **fields: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": f"{FACET_SPEC}/{schema}.json", **fields}
