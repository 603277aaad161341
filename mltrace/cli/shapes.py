"""Entities as the JSON the command line prints with `--json` (the field names of docs/API.md)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from mltrace.cli.text import safe_json
from mltrace.entities import Component, ComponentRun, IOPointer
from mltrace.entities.access import ApiToken, AuditEntry
from mltrace.entities.artifact import StoredArtifact
from mltrace.entities.comparison import Comparison
from mltrace.entities.impact import Impact
from mltrace.entities.json_values import json_number
from mltrace.entities.series import Series
from mltrace.entities.times import iso_utc
from mltrace.lineage.evidence import Evidence
from mltrace.lineage.trace_diff import TraceDiff


def run_json(run: ComponentRun, with_code: bool = False) -> dict[str, Any]:
    """A run as `GET /runs` shows it (a preview of its inputs and outputs when it is one); with its code
    snapshot as `GET /runs/{id}` does."""
    data: dict[str, Any] = {
        "id": run.id,
        "component": run.component_name,
        "start": iso(run.start_timestamp),
        "end": iso(run.end_timestamp),
        "duration_ms": run.duration_ms,
        "status": run.status,
        "error": run.error,
        "inputs": [run_pointer_json(p) for p in run.inputs],
        "outputs": [run_pointer_json(p) for p in run.outputs],
        "inputs_count": run.inputs_count,
        "outputs_count": run.outputs_count,
        "dependencies": list(run.dependencies),
        "code_hash": run.code_hash,
        "git_hash": run.git_hash,
        "git_tags": list(run.git_tags),
        "notes": run.notes,
        "params": dict(run.params),
        "metrics": dict(run.metrics),
        "test_results": list(run.test_results),
        "stale": list(run.stale),
        "warnings": list(run.warnings),
    }
    if with_code:
        data["code_snapshot"] = run.code_snapshot
    return data


def series_json(run_id: int, series: Series) -> dict[str, Any]:
    """A run's step series as `GET /runs/{id}/series` answers them."""
    return {
        "run_id": run_id,
        "series": {
            key: [{"step": p.step, "value": p.value, "logged": iso(p.logged)} for p in points]
            for key, points in series.items()
        },
    }


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    """A piece of review's evidence against a run."""
    return {
        "kind": evidence.kind,
        "key": evidence.key,
        "value": evidence.value,
        "usual": evidence.usual,
        "message": evidence.message,
    }


def run_pointer_json(pointer: IOPointer) -> dict[str, Any]:
    """An input or output of a run, with the version the run read or wrote."""
    return {
        "name": pointer.name,
        "type": pointer.pointer_type.value,
        "value_hash": pointer.value_hash,
        "flagged": pointer.flag,
    }


def pointer_json(pointer: IOPointer) -> dict[str, Any]:
    """A logged input or output with its flag."""
    return {**run_pointer_json(pointer), "flag_reason": pointer.flag_reason, "flagged_at": iso(pointer.flagged_at)}


def component_json(component: Component) -> dict[str, Any]:
    return {
        "name": component.name,
        "owner": component.owner,
        "description": component.description,
        "tags": list(component.tags),
    }


def trace_json(graph: dict[str, Any]) -> dict[str, Any]:
    """The trace graph with only the documented node fields."""
    run_fields = ("id", "kind", "run_id", "component", "start", "end", "status", "stale", "suspect")
    pointer_fields = ("id", "kind", "name", "type", "flagged", "suspect")
    nodes = [
        {k: node.get(k) for k in (run_fields if node["kind"] == "run" else pointer_fields)}
        | ({"reused_run_id": node["reused_run_id"]} if "reused_run_id" in node else {})  # a cached run's
        for node in graph["nodes"]
    ]
    return {
        "root": graph["root"],
        "direction": graph["direction"],
        "nodes": nodes,
        "edges": [{"source": e["source"], "target": e["target"]} for e in graph["edges"]],
    }


def iso(ts: datetime | None) -> str | None:
    """ISO 8601 in UTC with microseconds."""
    return None if ts is None else iso_utc(ts)


def dumps(data: Any) -> str:
    """Indented JSON; times as ISO 8601, NaN and ±Infinity as strings (as the API sends them)."""
    return safe_json(json.dumps(_finite(data), indent=2, ensure_ascii=False, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def artifact_json(artifact: StoredArtifact) -> dict[str, Any]:
    """A stored artifact as `GET /artifacts` shows it."""
    return {
        "name": artifact.name,
        "hash": artifact.digest,
        "size": artifact.size,
        "serializer": artifact.serializer,
        "run_id": artifact.run_id,
        "component": artifact.component,
        "stored_at": iso(artifact.stored_at),
    }


def diff_json(result: TraceDiff) -> dict[str, Any]:
    """A trace diff as `GET /diff` shows it."""
    return {
        "a": result.a,
        "b": result.b,
        "identical": result.identical,
        "pairs": [
            {
                "a_run_id": p.a_run_id,
                "b_run_id": p.b_run_id,
                "component": p.component,
                "depth": p.depth,
                "shared": p.shared,
            }
            for p in result.pairs
        ],
        "only_a": [{"run_id": u.run_id, "component": u.component, "depth": u.depth} for u in result.only_a],
        "only_b": [{"run_id": u.run_id, "component": u.component, "depth": u.depth} for u in result.only_b],
        "differences": [
            {
                "rank": d.rank,
                "kind": d.kind,
                "component": d.component,
                "depth": d.depth,
                "a_run_id": d.a_run_id,
                "b_run_id": d.b_run_id,
                "key": d.key,
                "a": d.a,
                "b": d.b,
                "change": d.change,
                "explained_by": d.explained_by,
                "code_diff": d.code_diff,
            }
            for d in result.differences
        ],
    }


def impact_json(impact: Impact) -> dict[str, Any]:
    """An impact with the field names of `GET /api/v1/impact`."""
    return {
        "runs": impact.runs,
        "components": [{"name": name, "runs": runs} for name, runs in impact.components.items()],
        "endpoints": impact.endpoints,
        "flagged": impact.flagged,
        "outputs": [
            {
                "output_id": o.name,
                "type": o.pointer_type.value,
                "flagged": o.flagged,
                "run_id": o.run_id,
                "component": o.component,
                "time": iso(o.time),
            }
            for o in impact.outputs
        ],
    }


def token_json(token: ApiToken) -> dict[str, Any]:
    """A token as the API's Token shape."""
    return {
        "name": token.name,
        "scope": token.scope,
        "created_at": iso(token.created_at),
        "created_by": token.created_by,
        "expires_at": iso(token.expires_at),
        "revoked_at": iso(token.revoked_at),
    }


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    """An audit entry as the API's AuditEntry shape."""
    return {
        "id": entry.id,
        "at": iso(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target_kind": entry.target_kind,
        "target": entry.target,
        "before": entry.before,
        "after": entry.after,
    }


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """A comparison with the field names of `GET /api/v1/compare`."""
    return {
        "runs": [
            {
                "id": run.id,
                "component": run.component_name,
                "status": run.status,
                "start": iso(run.start_timestamp),
                "end": iso(run.end_timestamp),
                "duration_ms": run.duration_ms,
            }
            for run in comparison.runs
        ],
        "differing": comparison.differing,
        "rows": [
            {"group": row.group, "key": row.key, "differs": row.differs, "values": list(row.values)}
            for row in comparison.rows
        ],
        "series": [
            {
                "key": metric.key,
                "runs": [
                    {
                        "run_id": s.run_id,
                        "count": s.count,
                        "steps": s.steps,
                        "values": [json_number(v) for v in s.values],
                    }
                    for s in metric.runs
                ],
            }
            for metric in comparison.series
        ],
    }
