"""Rules that the OpenAPI document states in words, applied to the requests schemathesis makes: those of
`POST /api/v1/runs`, and the distinct ids of `GET /api/v1/compare`.

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
from tests.server.sample import PIPELINE_RECORDS

SAMPLE_RUNS = len(PIPELINE_RECORDS)  # the runs the live server holds, ids 1 to SAMPLE_RUNS


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """Every phase's cases (the coverage phase applies no body hooks, only case hooks)."""
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
    return case


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


def _is_positive(case: Any) -> bool:
    """Whether schemathesis generated the case to fit the schema (a negative one is meant to be refused)."""
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive
