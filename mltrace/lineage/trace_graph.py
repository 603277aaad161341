"""Assembles a trace graph (nodes and edges in the direction data flows) from stored facts, kept as plain
tuples: a trace can hold thousands of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

RunFacts = tuple[int, str, datetime, datetime, str, list[str], int]
"""A run inside a trace: `(run id, component, start, end, status, staleness messages, depth)`."""

PointerFacts = tuple[str, str, bool]
"""A pointer inside a trace: `(name, type, flagged)`."""

IOFacts = Sequence[Any]
"""A pointer a run read or wrote: `(run id, name, type, flagged)`."""

Step = Sequence[Any]
"""A step of a lineage walk, starting `(via, run id, pointer id, name, type, flagged)`: the run reached from the
run `via` (None where the walk starts) through a pointer (None for an explicit link between runs), with the
pointer's facts. Upstream, `via` read the pointer that the run wrote; downstream, the run read what `via` wrote."""


def nearest_first(runs: Iterable[RunFacts], depth: int | None) -> list[RunFacts]:
    """The runs within `depth` runs of the root (all without a limit), nearest first, then by id."""
    found = list(runs) if depth is None else [run for run in runs if run[6] <= depth]
    found.sort(key=itemgetter(6, 0))
    return found


class TraceBuilder:
    """Collects nodes and edges once each, in insertion order."""

    def __init__(self, root: PointerFacts, direction: str) -> None:
        self.direction = direction
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str], None] = {}
        self.root = self.add_pointer(*root)

    def add_pointer(self, name: str, pointer_type: str, flagged: Any) -> str:
        node_id = f"pointer:{name}"
        if node_id not in self.nodes:
            self.nodes[node_id] = {
                "id": node_id,
                "kind": "pointer",
                "name": name,
                "type": pointer_type,
                "flagged": bool(flagged),
            }
        return node_id

    def add_runs(self, runs: Iterable[RunFacts]) -> dict[int, str]:
        """Adds the runs in order; returns run id → node id."""
        node_ids: dict[int, str] = {}
        nodes = self.nodes
        for run_id, component, start, end, status, stale, depth in runs:
            node_ids[run_id] = node_id = f"run:{run_id}"
            nodes[node_id] = {
                "id": node_id,
                "kind": "run",
                "run_id": run_id,
                "component": component,
                "start": start,
                "end": end,
                "status": status,
                "stale": stale,
                "depth": depth,
            }
        return node_ids

    def add_io(self, io: Iterable[IOFacts], runs: dict[int, str]) -> None:
        """Adds the pointers the `runs` read (upstream) or wrote (downstream), each linked to its run."""
        add_pointer, edges, read = self.add_pointer, self.edges, self.direction == "upstream"
        for run_id, name, pointer_type, flagged in io:
            node_id = add_pointer(name, pointer_type, flagged)
            edges[(node_id, runs[run_id]) if read else (runs[run_id], node_id)] = None

    def build(self) -> dict[str, Any]:
        """The SPEC §9 trace dict."""
        return {
            "root": self.root,
            "direction": self.direction,
            "nodes": list(self.nodes.values()),
            "edges": [{"source": s, "target": t} for s, t in self.edges],
        }


def add_steps(builder: TraceBuilder, run_nodes: dict[int, str], steps: Iterable[Step]) -> dict[int, int]:
    """Adds what a walk's steps show: each step's pointer as an input (upstream) or output (downstream) of the
    run the step left (`via`, always inside the depth limit), the edge between that pointer and the run the
    step reached when that run is inside, explicit links, and downstream the root's readers.
    Returns how many inputs (outputs) of each run the steps showed.

    Edges go the way data flows: upstream, the run reached wrote the pointer that `via` read; downstream,
    `via` wrote the pointer that the run reached read.
    """
    upstream = builder.direction == "upstream"
    add_pointer, edges = builder.add_pointer, builder.edges
    shown: dict[int, int] = {}
    for step in steps:
        via, run_id, pointer_id, name, pointer_type, flagged = step[:6]
        reached = run_nodes.get(run_id)
        if via is None:  # where the walk starts: downstream, a reader of the root (at depth 1)
            if not upstream and reached is not None:
                edges[builder.root, reached] = None
            continue
        left = run_nodes[via]
        if pointer_id is None:  # an explicit link between the two runs
            if reached is not None:
                edges[(reached, left) if upstream else (left, reached)] = None
            continue
        node_id = add_pointer(name, pointer_type, flagged)
        own = (node_id, left) if upstream else (left, node_id)
        if own not in edges:
            edges[own] = None
            shown[via] = shown.get(via, 0) + 1
        if reached is not None:
            edges[(reached, node_id) if upstream else (node_id, reached)] = None
    return shown


def empty_graph(root: PointerFacts, direction: str) -> dict[str, Any]:
    """The trace of a pointer no run wrote (upstream) or read (downstream)."""
    return TraceBuilder(root, direction).build()
