"""Rules of `POST /api/v1/runs` that its OpenAPI document states in words, applied to the runs schemathesis makes.

JSON Schema cannot say that a run ends at or after it starts, that its times fall within the years 1-9999 once
in UTC (`0001-01-01T00:00:00+14:00` is in year 0 there), or that `upstream` names stored runs: without this
hook schemathesis would call a run that breaks them valid and expect the server to store it.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from mltrace.entities.component_run import MAX_RUN_ID
from mltrace.entities.times import iso_utc, parse_utc_clamped


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """Every phase's cases (the coverage phase applies no body hooks, only case hooks)."""
    if (case.method.upper(), case.operation.path) != ("POST", "/api/v1/runs"):
        return case
    runs = case.body.get("runs") if isinstance(case.body, dict) else None
    for run in runs if isinstance(runs, list) else []:
        if isinstance(run, dict):
            _keep_times_in_order(run)
            _no_unknown_upstream(run)
    return case


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
