"""Assembles a trace graph (nodes and edges in the direction data flows) from stored facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RunFacts:
    """A run inside a trace."""

    run_id: int
    component: str
    start: datetime
    end: datetime
    status: str
    stale: list[str]
    depth: int


@dataclass(frozen=True)
class PointerFacts:
    """A pointer inside a trace."""

    name: str
    type: str
    flagged: bool


def run_node_id(run_id: int) -> str:
    """The node id of a run."""
    return f"run:{run_id}"


def pointer_node_id(name: str) -> str:
    """The node id of a pointer."""
    return f"pointer:{name}"


class TraceBuilder:
    """Collects nodes and edges once each, in insertion order."""

    def __init__(self, root: PointerFacts, direction: str) -> None:
        self.root = pointer_node_id(root.name)
        self.direction = direction
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, str], None] = {}
        self.add_pointer(root)

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._nodes

    def add_run(self, run: RunFacts) -> str:
        node_id = run_node_id(run.run_id)
        if node_id not in self._nodes:
            self._nodes[node_id] = {
                "id": node_id,
                "kind": "run",
                "run_id": run.run_id,
                "component": run.component,
                "start": run.start,
                "end": run.end,
                "status": run.status,
                "stale": list(run.stale),
                "depth": run.depth,
            }
        return node_id

    def add_pointer(self, pointer: PointerFacts) -> str:
        node_id = pointer_node_id(pointer.name)
        if node_id not in self._nodes:
            self._nodes[node_id] = {
                "id": node_id,
                "kind": "pointer",
                "name": pointer.name,
                "type": pointer.type,
                "flagged": pointer.flagged,
            }
        return node_id

    def add_edge(self, source: str, target: str) -> None:
        self._edges.setdefault((source, target), None)

    def build(self) -> dict[str, Any]:
        """The SPEC §9 trace dict."""
        return {
            "root": self.root,
            "direction": self.direction,
            "nodes": list(self._nodes.values()),
            "edges": [{"source": s, "target": t} for s, t in self._edges],
        }
