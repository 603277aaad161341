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
"""A pointer a run read or wrote: `(run id, pointer id, name, type, flagged)`."""

Link = tuple[int | None, int, int | None]
"""A step of a lineage walk: `(via, run id, pointer id)`, the run reached from the run `via` (None where the
walk starts) through a pointer (None for an explicit link between runs)."""


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

    def add_io(self, io: Iterable[IOFacts], runs: dict[int, str], read: bool) -> dict[int, str]:
        """Adds the pointers the `runs` read (or wrote), each linked to its run; returns pointer id → node id."""
        node_ids: dict[int, str] = {}
        add_pointer, edges = self.add_pointer, self.edges
        for run_id, pointer_id, name, pointer_type, flagged in io:
            node_ids[pointer_id] = node_id = add_pointer(name, pointer_type, flagged)
            edges[(node_id, runs[run_id]) if read else (runs[run_id], node_id)] = None
        return node_ids

    def build(self) -> dict[str, Any]:
        """The SPEC §9 trace dict."""
        return {
            "root": self.root,
            "direction": self.direction,
            "nodes": list(self.nodes.values()),
            "edges": [{"source": s, "target": t} for s, t in self.edges],
        }


def upstream_graph(
    root: PointerFacts, runs: Iterable[RunFacts], inputs: Iterable[IOFacts], links: Iterable[Link], producer: int | None
) -> dict[str, Any]:
    """The upstream trace of `root`: the runs (nearest first), their inputs, the links the walk followed, and
    `producer`, the run the walk started from if it wrote `root`."""
    builder = TraceBuilder(root, "upstream")
    run_nodes = builder.add_runs(runs)
    if producer is not None:
        builder.edges[run_nodes[producer], builder.root] = None
    read = builder.add_io(inputs, run_nodes, read=True)
    for via, run_id, pointer_id in links:
        writer = run_nodes.get(run_id)
        if via is not None and writer is not None:
            target = run_nodes.get(via) if pointer_id is None else read.get(pointer_id)
            if target is not None:
                builder.edges[writer, target] = None
    return builder.build()


def downstream_graph(
    root: PointerFacts, runs: Iterable[RunFacts], outputs: Iterable[IOFacts], links: Iterable[Link]
) -> dict[str, Any]:
    """The downstream trace of `root`: the runs (nearest first), their outputs, and the links the walk
    followed (from no run: a reader of `root`)."""
    builder = TraceBuilder(root, "downstream")
    run_nodes = builder.add_runs(runs)
    written = builder.add_io(outputs, run_nodes, read=False)
    for via, run_id, pointer_id in links:
        reader = run_nodes.get(run_id)
        if reader is not None:
            if via is None:
                source: str | None = builder.root
            else:
                source = run_nodes.get(via) if pointer_id is None else written.get(pointer_id)
            if source is not None:
                builder.edges[source, reader] = None
    return builder.build()


def empty_graph(root: PointerFacts, direction: str) -> dict[str, Any]:
    """The trace of a pointer no run wrote (upstream) or read (downstream)."""
    return TraceBuilder(root, direction).build()
