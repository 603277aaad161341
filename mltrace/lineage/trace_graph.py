"""Assembles a trace graph (nodes and edges in the direction data flows) from the steps of a lineage walk,
one step at a time, in whatever order the database returns them: a trace can hold thousands."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from mltrace.entities.suspect import RunSuspicion

RunFacts = tuple[str, datetime, datetime, str, list[str], int]
"""A run inside a trace: `(component, start, end, status, staleness messages, pointer count)`, the count being
how many pointers the run read (upstream) or wrote (downstream)."""

IOFacts = Sequence[Any]
"""A pointer a run read or wrote: `(run id, name, type, flagged)`."""

# A step of a lineage walk is `(via, run id, pointer id, name, type, flagged, depth, …columns about the run)`: the
# run reached from the run `via` (None where the walk starts) through a pointer (None for an explicit link between
# runs), `depth` runs away from the root, with the pointer's facts. Upstream, `via` read the pointer that the run
# wrote; downstream, the run read what `via` wrote. The run's columns are read into `RunFacts` the first time the
# run comes up.


class TraceAssembler:
    """Collects the nodes and edges a walk's steps show, each once, whatever order the steps come in.

    With a depth limit the walk also takes the steps out of the last level: they show the pointers the runs
    of that level read (upstream) or wrote (downstream), and the runs beyond, which are left out unless
    another step reaches them within the limit."""

    def __init__(
        self,
        root: str,
        direction: str,
        depth: int | None,
        read_run: Callable[[Sequence[Any]], RunFacts],
    ) -> None:
        """`root`: the name of the pointer traced, whose type and flag `describe_root` gives once known; `read_run`:
        the facts of the run a step reached, from the step's columns about it."""
        self.direction = direction
        self.depth = depth
        self._upstream = direction == "upstream"
        self._read_run = read_run
        self._runs: dict[int, dict[str, Any]] = {}
        self._pointers: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, str], None] = {}
        self._pointer_counts: dict[int, int] = {}  # run id → pointers it read (upstream) or wrote (downstream)
        self._shown: dict[int, int] = {}  # run id → how many of those the steps showed
        self._beyond: list[tuple[int, tuple[str, str]]] = []  # edges to runs reached past the limit
        self.root = self._add_pointer(root, None, False)

    def add(
        self,
        via: int | None,
        run_id: int,
        pointer_id: int | None,
        name: str | None,
        pointer_type: str | None,
        flagged: bool | None,
        depth: int,
        run: Sequence[Any],
    ) -> None:
        """Adds what one step of the walk shows (as the comment at the top of this module says; `run`: the columns
        `read_run` reads): the run it
        reached (within the limit), the pointer it went through as an input (upstream) or output (downstream)
        of `via`, and the edges between them."""
        inside = self.depth is None or depth <= self.depth
        reached = f"run:{run_id}"
        node = self._runs.get(run_id)
        if node is None:
            if inside:
                self._add_run(run_id, reached, depth, run)
        elif depth < node["depth"]:
            node["depth"] = depth
        upstream, edges = self._upstream, self._edges
        if via is None:  # where the walk starts; downstream, a reader of the root
            if not upstream:
                edges[self.root, reached] = None
            return
        left = f"run:{via}"
        if pointer_id is None:  # an explicit link between the two runs
            edge = (reached, left) if upstream else (left, reached)
        else:
            pointer = self._add_pointer(name, pointer_type, flagged)
            own = (pointer, left) if upstream else (left, pointer)
            if own not in edges:
                edges[own] = None
                self._shown[via] = self._shown.get(via, 0) + 1
            edge = (reached, pointer) if upstream else (pointer, reached)
        if inside:
            edges[edge] = None
        else:  # kept if another step reaches the run within the limit, which is known once every step is in
            self._beyond.append((run_id, edge))

    def describe_root(self, pointer_type: str | None, flagged: bool) -> None:
        """The root's type and flag, once the database has said them (it is known by name from the start)."""
        self._pointers[self.root].update(type=pointer_type, flagged=flagged)

    def link_root(self, run_id: int) -> None:
        """Upstream: the edge from the run the walk started at to the root, which it wrote."""
        self._edges[f"run:{run_id}", self.root] = None

    @property
    def has_runs(self) -> bool:
        """Whether the graph holds any run so far."""
        return bool(self._runs)

    def runs_with_unseen_pointers(self) -> list[int]:
        """The runs that read (upstream) or wrote (downstream) pointers no step showed, such as raw inputs no
        run wrote: `add_io` adds those."""
        shown = self._shown
        return [run_id for run_id, count in self._pointer_counts.items() if count > shown.get(run_id, 0)]

    def add_io(self, io: Iterable[IOFacts]) -> None:
        """Adds the pointers that runs of the graph read (upstream) or wrote (downstream), each linked to its run."""
        add_pointer, edges, read = self._add_pointer, self._edges, self._upstream
        for run_id, name, pointer_type, flagged in io:
            pointer, run = add_pointer(name, pointer_type, flagged), f"run:{run_id}"
            edges[(pointer, run) if read else (run, pointer)] = None

    def build(self) -> dict[str, Any]:
        """The SPEC §9 trace dict: the root, then the runs nearest first (then by id), then the other pointers."""
        edges = self._edges
        for run_id, edge in self._beyond:
            if run_id in self._runs:
                edges[edge] = None
        runs = self._runs
        order = sorted(runs) if self.depth is None else sorted(runs, key=lambda run_id: (runs[run_id]["depth"], run_id))
        pointers = iter(self._pointers.values())
        root = next(pointers)
        return {
            "root": self.root,
            "direction": self.direction,
            "nodes": [root, *(runs[run_id] for run_id in order), *pointers],
            "edges": [{"source": source, "target": target} for source, target in edges],
        }

    def _add_run(self, run_id: int, node_id: str, depth: int, run: Sequence[Any]) -> None:
        component, start, end, status, stale, pointer_count = self._read_run(run)
        self._runs[run_id] = {
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
        self._pointer_counts[run_id] = pointer_count

    def _add_pointer(self, name: Any, pointer_type: Any, flagged: Any) -> str:
        node_id = f"pointer:{name}"
        if node_id not in self._pointers:
            self._pointers[node_id] = {
                "id": node_id,
                "kind": "pointer",
                "name": name,
                "type": pointer_type,
                "flagged": bool(flagged),
            }
        return node_id


def mark_suspects(graph: dict[str, Any], suspicions: Mapping[int, RunSuspicion], root_writer: int | None) -> None:
    """Adds `suspect`, a list of `{reason, source}`, to every node of a built graph: a run's own marks; a pointer's,
    those of what its writers in the graph wrote (for the root when no run of the graph wrote it, `root_writer`'s).
    A flagged pointer is not suspect for its own flag, only for what is upstream of it."""
    writers: dict[str, list[int]] = {}
    for edge in graph["edges"]:
        if edge["source"].startswith("run:") and edge["target"].startswith("pointer:"):
            writers.setdefault(edge["target"], []).append(int(edge["source"][len("run:") :]))
    if root_writer is not None and graph["root"] not in writers:
        writers[graph["root"]] = [root_writer]
    nothing = RunSuspicion()
    for node in graph["nodes"]:
        if node["kind"] == "run":
            marks = suspicions.get(node["run_id"], nothing).run
        else:
            ids = writers.get(node["id"], [])
            marks = tuple(dict.fromkeys(mark for i in ids for mark in suspicions.get(i, nothing).outputs))
        node["suspect"] = [{"reason": mark.reason, "source": mark.source} for mark in marks]
