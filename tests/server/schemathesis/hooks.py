"""Rules of `POST /api/v1/runs` that its OpenAPI document states in words, applied to the runs schemathesis makes.

JSON Schema cannot say that a run ends at or after it starts, that its times fall within the years 1-9999 once
in UTC (`0001-01-01T00:00:00+14:00` is in year 0 there), that `upstream` names stored runs, or that a `cached`
run names the run it reused in `cache.reused_run_key`, or that `artifacts` are among its outputs: without this
hook schemathesis would call a run that breaks them valid and expect the server to store it.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from mltrace.entities.component_run import MAX_RUN_ID
from mltrace.entities.times import iso_utc, parse_utc_clamped
from mltrace.query.filter_grammar import MAX_FILTER_CHARS

VALID_FILTERS = ("", "metrics.accuracy > 0.5", "params.model = 'a' and status = 'success'", "tag = 'x'")
VALID_ORDERS = ("", "started", "metrics.accuracy desc, id")


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """Every phase's cases (the coverage phase applies no body hooks, only case hooks)."""
    if case.method.upper() == "GET" and isinstance(case.query, dict):
        map_query(context, case.query)
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


def _is_positive(case: Any) -> bool:
    """Whether schemathesis generated the case to fit the schema (a negative one is meant to be refused)."""
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive
