"""Human output: aligned tables, local times, durations, run cards, trace trees and impact summaries."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Container, Sequence
from datetime import datetime
from typing import Any

from mltrace.entities import Component, ComponentRun, IOPointer
from mltrace.entities.impact import Impact
from mltrace.entities.suspect import SuspectMark
from mltrace.entities.times import utc

# What a terminal would obey rather than show: C0 controls (ESC starts its sequences), DEL, C1 controls (U+009B is
# a one-character CSI), the bidirectional controls that reorder what is shown (U+202E) and the line separators.
_LAYOUT = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f" + _LAYOUT + "]")
_UNSAFE_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _LAYOUT + "]")  # keeps tabs and newlines
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f" + _LAYOUT + "]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def safe_text(text: str, multiline: bool = False) -> str:
    """Text from the database as it may reach a terminal: control characters shown as escapes (`\\x1b`, `\\r`,
    `\\u202e`), so that stored text cannot move the cursor, recolour or retitle the terminal; `multiline` keeps
    newlines and tabs."""
    return (_UNSAFE_IN_LINES if multiline else _UNSAFE).sub(_escape, text)


def safe_json(text: str) -> str:
    """JSON text with the controls JSON leaves as they are (DEL, C1, `_LAYOUT`) written as `\\u` escapes: the same
    JSON once decoded, but nothing a terminal obeys (JSON already escapes the C0 controls)."""
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell; the last column is not padded. Cells are shown with `safe_text`."""
    cells = [[str(h) for h in headers]] + [["" if c is None else safe_text(str(c)) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) if i < len(headers) - 1 else c for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in cells
    ]
    return "\n".join(line.rstrip() for line in lines)


def local_time(ts: datetime | None) -> str:
    """A timestamp in the local time zone, to the second."""
    if ts is None:
        return "-"
    return utc(ts).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def local_zone() -> str:
    """The local time zone's name, for column headers."""
    return datetime.now().astimezone().strftime("%Z") or "local"


def duration(ms: float | None) -> str:
    """`850 ms`, `3.4 s`, `2 min 05 s`, `1 h 02 min`, `2 d 03 h`: rounded half up to the unit shown.

    The console's `formatDuration` follows the same rule; both are tested on ui/src/lib/durationCases.json.
    """
    if ms is None:
        return "-"
    if _rounded(ms) < 1000:
        return f"{_rounded(ms)} ms"
    tenths = _rounded(ms / 100)
    if tenths < 600:
        return f"{tenths // 10}.{tenths % 10} s"
    seconds = _rounded(ms / 1000)
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    minutes = _rounded(ms / 60_000)
    if minutes < 1440:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    hours = _rounded(ms / 3_600_000)
    return f"{hours // 24} d {hours % 24:02d} h"


def size(n: int) -> str:
    """A size in bytes as people read it, the same as the console: `512 B`, `1.5 kB`, `12.0 MB` (powers of 1,000)."""
    if n < 1000:
        return f"{n} B"
    value = float(n)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 999.95 or unit == "TB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def _rounded(value: float) -> int:
    """Half up, as JavaScript's Math.round (Python's round() goes to even: 0.5 → 0)."""
    return math.floor(value + 0.5)


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`1 flag`, `2 flags`: a number with its noun (the plural given when it is not singular + s)."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def status(run: ComponentRun, suspect: bool = False) -> str:
    """`success`, `FAILED`, with `stale` when a dependency is outdated and `suspect` when something upstream is
    flagged or failed a test."""
    words = ["FAILED" if run.status == "failed" else run.status]
    words += ["stale"] * bool(run.stale) + ["suspect"] * suspect
    return ", ".join(words)


def names(pointers: Sequence[IOPointer], total: int | None = None, limit: int = 1) -> str:
    """The first names of a list of pointers and how many more there are (of `total`, when the list is a preview)."""
    shown = pointers[:limit]
    more = (len(pointers) if total is None else total) - len(shown)
    listed = ", ".join(p.name for p in shown)
    return f"{listed} (+{more} more)" if more > 0 else listed or "-"


def runs_table(runs: Sequence[ComponentRun], suspect: Container[int] = ()) -> str:
    """The runs of `recent` and `history` (`suspect`: the ids of those with suspect marks)."""
    rows = [
        (
            r.id,
            r.component_name,
            local_time(r.start_timestamp),
            duration(r.duration_ms),
            status(r, r.id in suspect),
            names(r.outputs, r.outputs_count),
        )
        for r in runs
    ]
    return table(("ID", "COMPONENT", f"STARTED ({local_zone()})", "DURATION", "STATUS", "OUTPUTS"), rows)


def components_table(components: Sequence[Component]) -> str:
    rows = [(c.name, c.owner or "-", ", ".join(c.tags) or "-", c.description or "-") for c in components]
    return table(("NAME", "OWNER", "TAGS", "DESCRIPTION"), rows)


def run_card(
    run: ComponentRun,
    component: Component | None = None,
    with_code: bool = False,
    reused_run_id: int | None = None,
    suspect: Sequence[SuspectMark] = (),
) -> str:
    """Everything recorded about one run, one labelled line (or block) per fact (a cached run: the run it reused;
    a suspect run: why)."""
    lines: list[tuple[str, str]] = [
        ("Component", run.component_name),
        ("Status", status(run)),
        ("Started", f"{local_time(run.start_timestamp)} {local_zone()}"),
        ("Ended", f"{local_time(run.end_timestamp)} {local_zone()}"),
        ("Duration", duration(run.duration_ms)),
    ]
    if run.status == "cached":
        lines.append(("Reused", f"the stored result of run {reused_run_id}" if reused_run_id else "an unstored run"))
    if component is not None:
        lines.append(("Owner", component.owner or "-"))
        lines.append(("Tags", ", ".join(component.tags) or "-"))
    if run.git_hash:
        lines.append(("Git", run.git_hash + (f" ({', '.join(run.git_tags)})" if run.git_tags else "")))
    if run.code_hash:
        lines.append(("Code hash", run.code_hash))
    lines += _block("Inputs", [_pointer_line(p) for p in run.inputs])
    lines += _block("Outputs", [_pointer_line(p) for p in run.outputs])
    lines.append(("Depends on", ", ".join(f"run {d}" for d in run.dependencies) or "-"))
    lines += _block("Stale", run.stale)
    lines += _block("Suspect", [mark.reason for mark in suspect])
    lines += _block(
        "Tests",
        [
            f"{t.get('test')}.{t.get('name')} ({t.get('phase')}): "
            + ("passed" if t.get("passed") else f"FAILED {t.get('error') or ''}".rstrip())
            for t in run.test_results
        ],
    )
    lines += _block("Params", [f"{k} = {json.dumps(v, default=str)}" for k, v in run.params.items()])
    lines += _block("Metrics", [f"{k} = {json.dumps(v, default=str)}" for k, v in run.metrics.items()])
    lines += _block("Warnings", run.warnings)
    lines += _block("Notes", run.notes.splitlines())
    if run.error:
        lines += _block("Error", run.error.rstrip().splitlines()[-1:])
    width = max(len(label) for label, _ in lines)
    body = "\n".join(f"  {label.ljust(width)}  {safe_text(value)}" for label, value in lines)
    text = f"Run {run.id}\n{body}"
    if with_code:
        text += "\n\nCode:\n" + safe_text((run.code_snapshot or "(no code snapshot)").rstrip(), multiline=True)
    return text


def _block(label: str, values: Sequence[str]) -> list[tuple[str, str]]:
    return [(label if i == 0 else "", v) for i, v in enumerate(values)]


def _pointer_line(p: IOPointer) -> str:
    flag = f"  FLAGGED{': ' + p.flag_reason if p.flag_reason else ''}" if p.flag else ""
    return f"{p.name} [{p.pointer_type.value}]{flag}"


MAX_INDENT = 30
"""Levels of a trace tree drawn further right each; deeper ones are drawn at that width, with their level."""


def trace_tree(graph: dict[str, Any]) -> str:
    """The trace as an ASCII tree from the root pointer, following the trace's direction."""
    nodes = {n["id"]: n for n in graph["nodes"]}
    children: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        parent, child = (
            (edge["target"], edge["source"]) if graph["direction"] == "upstream" else (edge["source"], edge["target"])
        )
        children.setdefault(parent, []).append(child)

    def kids_of(node_id: str) -> list[str]:
        return sorted(children.get(node_id, []), key=lambda k: _sort_key(nodes[k]))

    lines = [_node_label(nodes[graph["root"]])]
    shown = {graph["root"]}
    # (children, the next to show, their prefix, their level): a stack, not recursion, as a chain can be thousands
    # of runs deep; past MAX_INDENT levels the lines stop moving right and say their level instead
    stack = [(kids_of(graph["root"]), 0, "", 1)]
    while stack:
        kids, i, prefix, level = stack.pop()
        if i == len(kids):
            continue
        stack.append((kids, i + 1, prefix, level))
        kid, last = kids[i], i == len(kids) - 1
        seen = kid in shown
        deep = f"[level {level}] " if level > MAX_INDENT else ""
        branch = "`-- " if last else "|-- "
        lines.append(f"{prefix}{branch}{deep}{_node_label(nodes[kid])}{'  (see above)' if seen else ''}")
        if not seen:
            shown.add(kid)
            indented = prefix + ("    " if last else "|   ") if level < MAX_INDENT else prefix
            stack.append((kids_of(kid), 0, indented, level + 1))
    return "\n".join(lines)


def _node_label(node: dict[str, Any]) -> str:
    if node["kind"] == "run":
        stale = "  STALE" if node.get("stale") else ""
        failed = "FAILED" if node.get("status") == "failed" else node.get("status")
        started = local_time(node.get("start"))
        return f"run {node['run_id']} {safe_text(node['component'])}  {started}  {failed}{stale}{_suspect(node)}"
    flag = "  FLAGGED" if node.get("flagged") else ""
    return f"{safe_text(node['name'])} [{node.get('type')}]{flag}{_suspect(node)}"


def _suspect(node: dict[str, Any]) -> str:
    """`  SUSPECT (2 reasons)` for a node with suspect marks; inspect says which."""
    marks = node.get("suspect") or ()
    return f"  SUSPECT ({count(len(marks), 'reason')})" if marks else ""


def _sort_key(node: dict[str, Any]) -> tuple[str, Any]:
    return (node["kind"], node.get("run_id") or node.get("name"))


def impact_summary(target: str, impact: Impact) -> str:
    """The affected runs per component, then the endpoint outputs: how many, how many flagged, the newest."""
    if not impact.runs:
        return f"Nothing downstream of {safe_text(target)} (within the bounds given)."
    parts = [
        f"{safe_text(target)} affects {count(impact.runs, 'run')}:",
        table(("COMPONENT", "RUNS"), list(impact.components.items())),
        "",
        f"{count(impact.endpoints, 'endpoint output')} ({impact.flagged} flagged)"
        + (f", newest {len(impact.outputs)}:" if impact.outputs else "."),
    ]
    if impact.outputs:
        rows = [
            (o.name, o.pointer_type.value, "yes" if o.flagged else "", o.run_id, o.component, local_time(o.time))
            for o in impact.outputs
        ]
        parts.append(table(("OUTPUT", "TYPE", "FLAGGED", "RUN", "COMPONENT", f"STARTED ({local_zone()})"), rows))
    return "\n".join(parts)
