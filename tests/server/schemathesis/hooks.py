"""Rules that the OpenAPI document states in words, applied to the requests schemathesis makes: those of
`POST /api/v1/runs`, and the distinct ids of `GET /api/v1/compare`.

JSON Schema cannot say that a run ends at or after it starts, that its times fall within the years 1-9999 once
in UTC (`0001-01-01T00:00:00+14:00` is in year 0 there), that `upstream` names stored runs, or that a `cached`
run names the run it reused in `cache.reused_run_key`, or that `artifacts` are among its outputs, that a series'
`step`, `value` and `logged` lists have one length and each step appears once, or that the names of params and
metrics (`PATCH /api/v1/runs/{run_id}`, a run's `series`) have 1 to 255 characters and that a `PATCH` gives
`params` or `metrics`: without this hook schemathesis
would call a request that breaks them valid and expect the server to take it.
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis

from mltrace.entities.component_run import MAX_RUN_ID
from mltrace.entities.limits import MAX_NAME_CHARS
from mltrace.entities.times import iso_utc, parse_utc_clamped
from mltrace.lineage.openlineage import event_problems
from mltrace.query.filter_grammar import MAX_FILTER_CHARS
from tests.server.sample import PIPELINE_RECORDS

VALID_FILTERS = ("", "metrics.accuracy > 0.5", "params.model = 'a' and status = 'success'", "tag = 'x'")
VALID_ORDERS = ("", "started", "metrics.accuracy desc, id")

SAMPLE_RUNS = len(PIPELINE_RECORDS)  # the runs the live server holds, ids 1 to SAMPLE_RUNS


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """Every phase's cases (the coverage phase applies no body hooks, only case hooks)."""
    if (case.method.upper(), case.operation.path) == ("POST", "/api/v1/lineage"):
        return _valid_event(case)
    if (case.method.upper(), case.operation.path) == ("PATCH", "/api/v1/runs/{run_id}"):
        if _is_positive(case) and isinstance(case.body, dict):
            for name in ("params", "metrics"):
                if isinstance(case.body.get(name), dict):
                    case.body[name] = _named(case.body[name])
            if "params" not in case.body and "metrics" not in case.body:  # one of them is required (in words)
                case.body["params"] = {}
        return case
    if case.method.upper() == "GET" and isinstance(case.query, dict):
        map_query(context, case.query)
    if (case.method.upper(), case.operation.path) == ("GET", "/api/v1/compare"):
        if _is_positive(case):
            _distinct_compare_ids(case)
        return case
    if (case.method.upper(), case.operation.path) != ("POST", "/api/v1/runs"):
        return case
    runs = case.body.get("runs") if isinstance(case.body, dict) else None
    for run in runs if isinstance(runs, list) else []:
        if isinstance(run, dict):
            _keep_times_in_order(run)
            _no_unknown_upstream(run)
            _cached_only_with_a_reused_run(run)
            if _is_positive(case):  # a negative case's invalid artifact must not be dropped: it is the point
                _artifacts_only_of_outputs(run)
                _no_nul_in_cache_part_names(run)
                _series_in_columns_of_one_length(run)
    return case


@schemathesis.hook
def map_query(context: Any, query: Any) -> Any:
    """`where` and `order_by` are texts in the filter language, which JSON Schema cannot describe: a text the schema
    allows becomes one of a few valid filters (through `map_case` in the coverage phase, which applies only case
    hooks); one it refuses (too long, with NUL) stays, to be refused."""
    if not isinstance(query, dict):
        return query
    for name, valid in (("where", VALID_FILTERS), ("order_by", VALID_ORDERS)):
        text = query.get(name)
        if isinstance(text, str) and len(text) <= MAX_FILTER_CHARS and "\x00" not in text:
            query[name] = valid[len(text) % len(valid)]
    return query


def _distinct_compare_ids(case: Any) -> None:
    """A pattern-fitting `ids` made distinct (`5,5` is one run, too few: JSON Schema cannot say so), and ids of the
    sample pipeline's runs (1 to SAMPLE_RUNS), so that the comparison is reached rather than a 404."""
    query = case.query if isinstance(case.query, dict) else None
    ids = query.get("ids") if query else None
    if query is None or not isinstance(ids, str) or not all(part.isdigit() for part in ids.split(",")):
        return
    query["ids"] = ",".join(str(k) for k in range(1, min(len(ids.split(",")), SAMPLE_RUNS) + 1))


def _keep_times_in_order(run: dict[str, Any]) -> None:
    """Times beyond the years 1-9999 in UTC moved to the nearest one there, and start and end in order."""
    times = {}
    for name in ("start", "end"):
        if not isinstance(run.get(name), str):
            return
        try:
            times[name] = parse_utc_clamped(run[name])
        except ValueError:
            return  # not a time at all: the request is meant to be invalid
        run[name] = iso_utc(times[name])
    if times["end"] < times["start"]:
        run["start"], run["end"] = run["end"], run["start"]


def _no_unknown_upstream(run: dict[str, Any]) -> None:
    """Upstream ids are only for runs the server has: random ones are left out (invalid ones stay, to be refused)."""
    upstream = run.get("upstream")
    if isinstance(upstream, list) and all(type(i) is int and 0 < i <= MAX_RUN_ID for i in upstream):
        run["upstream"] = []


def _cached_only_with_a_reused_run(run: dict[str, Any]) -> None:
    """A `cached` run that names no reused run becomes a `success` (an invalid status stays, to be refused)."""
    cache = run.get("cache")
    if run.get("status") == "cached" and not (isinstance(cache, dict) and cache.get("reused_run_key") is not None):
        run["status"] = "success"


def _artifacts_only_of_outputs(run: dict[str, Any]) -> None:
    """Stored outputs that are not outputs of the run are left out (a list that is not one stays, to be refused)."""
    artifacts, outputs = run.get("artifacts"), run.get("outputs", [])
    if not (isinstance(artifacts, list) and isinstance(outputs, list)):
        return
    names = [o.get("name") for o in outputs if isinstance(o, dict)]
    run["artifacts"] = [a for a in artifacts if not isinstance(a, dict) or a.get("name") in names]


def _valid_event(case: Any) -> Any:
    """An OpenLineage event the schema calls valid, made one (`event_problems` states in code what JSON Schema
    cannot: a runId that is a UUID, names that can be stored, an eventTime with a time...). Negative cases stay."""
    if _is_positive(case) and (not isinstance(case.body, dict) or event_problems(case.body)):
        case.body = {
            "eventTime": "2026-03-01T06:00:00Z",
            "producer": "schemathesis",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "eventType": "COMPLETE",
            "run": {"runId": str(uuid.uuid4()), "facets": {}},
            "job": {"namespace": "schemathesis", "name": "job"},
            "outputs": [{"namespace": "schemathesis", "name": "table"}],
        }
    return case


def _no_nul_in_cache_part_names(run: dict[str, Any]) -> None:
    """A cache key's part names are texts the store keeps (no NUL), which OpenAPI 3.0 cannot say of an object's keys:
    names with NUL are left out."""
    cache = run.get("cache")
    parts = cache.get("parts") if isinstance(cache, dict) else None
    if isinstance(parts, dict):
        cache["parts"] = {name: value for name, value in parts.items() if "\x00" not in name}


def _named(values: dict[str, Any]) -> dict[str, Any]:
    """Values whose names have 1 to 255 characters (others are left out)."""
    return {k: v for k, v in values.items() if 1 <= len(k) <= MAX_NAME_CHARS}


def _series_in_columns_of_one_length(run: dict[str, Any]) -> None:
    """Each series cut to its shortest list, its steps made distinct and its times in the years 1-9999 in UTC."""
    series = run.get("series")
    if not isinstance(series, dict):
        return
    run["series"] = _named(series)
    for columns in run["series"].values():
        if not isinstance(columns, dict) or not all(isinstance(columns.get(n), list) for n in _COLUMNS):
            continue
        length = min(len(columns[n]) for n in _COLUMNS)
        steps = columns["step"][:length]
        if all(type(s) is int for s in steps):
            keep = [i for i, s in enumerate(steps) if s not in steps[:i]]
        else:
            keep = list(range(length))
        for name in _COLUMNS:
            columns[name] = [columns[name][i] for i in keep]
        columns["logged"] = [_clamped(t) for t in columns["logged"]]


_COLUMNS = ("step", "value", "logged")


def _clamped(value: Any) -> Any:
    try:
        return iso_utc(parse_utc_clamped(value)) if isinstance(value, str) else value
    except ValueError:
        return value


def _is_positive(case: Any) -> bool:
    """Whether schemathesis generated the case to fit the schema (a negative one is meant to be refused)."""
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive
