"""Aligns the upstream traces of two outputs run by run and ranks what differs, the likely cause first.

Pairing: the producers of the two outputs are paired when they run the same component. From a pair, the runs each
side read from are paired: a run both sides read from with itself (shared), then by component and the input through
which they are reached, first through an input of the same name, then in the order of the input names (explicit
links last). A run already paired (reached earlier by a shorter path) is not paired with another again, so a
component used several times is paired by its path from the root; a shared run is also paired with itself wherever
both traces reach it. When the walk stops (a step only one side has cuts it), runs of the same component left on both
sides are paired, nearest the root first, and the walk goes on from them. A run of either trace left unpaired is only
in that trace.

An input read from a paired run differs when its version (value hash) does, or, where a version is missing, its
name: outputs named per run (`features-<uuid>`) with the same content are the same.

Ranking: the furthest upstream difference first (the most runs on a path from the pair to the producers, so a
pair upstream of another always comes first), then by kind
(`KINDS`: raw data, a step only one side has, code, params, git, staleness, inputs, metrics, status, tests). An
input whose producers form a pair that differs (or has a difference upstream) is `explained_by` that pair's top
difference and ranked after every unexplained one.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mltrace.entities import ComponentRun

KINDS = (
    "raw_input",
    "only_in_a",
    "only_in_b",
    "code",
    "params",
    "git",
    "stale",
    "input",
    "metrics",
    "status",
    "tests",
)
"""Kinds of difference, the likelier cause first (within the same distance from the root)."""

_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
_RUN_ID = re.compile(r"\brun \d+")


@dataclass(slots=True)
class TraceSide:
    """One output's upstream trace: its producer, the runs whole, and for each run the runs it read from."""

    root: str
    producer: int | None
    runs: dict[int, ComponentRun]
    upstream: dict[int, list[tuple[str | None, int]]]  # run id → (input name, or None for a link; writer's run id)
    raw: dict[int, dict[str, str | None]]  # run id → inputs no run of the trace wrote: name → value hash
    inputs: dict[int, dict[str, str | None]]  # run id → all its inputs: name → value hash
    components: dict[int, str]  # run id → its component
    depth: dict[int, int]  # run id → most runs on a path from it to the producer (0 for the producer)


def trace_side(root: str, producer: int | None, runs: Iterable[ComponentRun]) -> TraceSide:
    """A side from its root, the root's producer and the trace's runs, whole (with their `dependencies`)."""
    by_id = {run.id: run for run in runs if run.id is not None}
    writers: dict[str, list[int]] = {}  # output name → the runs of the trace that wrote it
    for run_id, run in by_id.items():
        for p in run.outputs:
            writers.setdefault(p.name, []).append(run_id)
    components = {run_id: run.component_name for run_id, run in by_id.items()}
    upstream: dict[int, list[tuple[str | None, int]]] = {}
    raw: dict[int, dict[str, str | None]] = {}
    hashes: dict[int, dict[str, str | None]] = {}
    for run_id, run in by_id.items():
        inputs = hashes[run_id] = {p.name: p.value_hash for p in run.inputs}
        deps: dict[int, str | None] = {dep: None for dep in run.dependencies if dep in by_id}
        own = {}
        for name, value_hash in inputs.items():
            read_from = [w for w in writers.get(name, ()) if w in deps]
            if not read_from:
                own[name] = value_hash
            for w in read_from:
                via = deps[w]
                if via is None or name < via:
                    deps[w] = name
        upstream[run_id] = list(zip(deps.values(), deps.keys(), strict=True))
        raw[run_id] = own
    depth = _longest_paths(producer, upstream) if producer in by_id else {}
    return TraceSide(root, producer if producer in by_id else None, by_id, upstream, raw, hashes, components, depth)


def _longest_paths(producer: int, upstream: dict[int, list[tuple[str | None, int]]]) -> dict[int, int]:
    """Run id → the most runs on a path from it to the producer: a run upstream of another is always deeper."""
    readers = {producer: 0}
    queue = deque([producer])
    while queue:
        for _via, dep in upstream[queue.popleft()]:
            if dep in readers:
                readers[dep] += 1
            else:
                readers[dep] = 1
                queue.append(dep)
    depth = dict.fromkeys(readers, 0)
    ready = [producer]
    while ready:  # a run once all its readers are done (lineage has no cycles)
        run_id = ready.pop()
        below = depth[run_id] + 1
        for _via, dep in upstream[run_id]:
            if depth[dep] < below:
                depth[dep] = below
            readers[dep] -= 1
            if readers[dep] == 0:
                ready.append(dep)
    return depth


@dataclass(slots=True)
class Difference:
    """One thing that differs between the two traces."""

    kind: str
    component: str
    depth: int
    a_run_id: int | None
    b_run_id: int | None
    key: str | None = None
    a: Any = None
    b: Any = None
    change: str = "changed"  # added (only b has it), removed (only a has it), changed
    code_diff: str | None = None
    explained: Difference | None = None
    rank: int = 0

    @property
    def explained_by(self) -> int | None:
        """The rank of the difference that explains this one."""
        return None if self.explained is None else self.explained.rank

    def sort_key(self) -> tuple[Any, ...]:
        """Unexplained first, then furthest upstream, then by kind."""
        return (
            self.explained is not None,
            -self.depth,
            _KIND_ORDER[self.kind],
            self.component,
            self.key or "",
            self.a_run_id or 0,
            self.b_run_id or 0,
        )


@dataclass(slots=True)
class Pair:
    """Two runs of the same component at the same place in both traces; `depth`: the most runs on a path from
    either to its trace's producer."""

    a_run_id: int
    b_run_id: int
    component: str
    depth: int
    differences: list[Difference] = field(default_factory=list)
    upstream: list[Pair] = field(default_factory=list)
    only: list[Difference] = field(default_factory=list)  # runs it read from that only one side has

    @property
    def shared(self) -> bool:
        """Both traces hold the same run here."""
        return self.a_run_id == self.b_run_id


@dataclass(frozen=True, order=True)
class Unpaired:
    """A run only one trace holds."""

    run_id: int
    component: str
    depth: int


@dataclass
class TraceDiff:
    """The alignment of two traces and their differences, ranked."""

    a: str
    b: str
    pairs: list[Pair]
    only_a: list[Unpaired]
    only_b: list[Unpaired]
    differences: list[Difference]

    @property
    def identical(self) -> bool:
        """Nothing differs: every run is paired and no pair differs."""
        return not self.differences


def diff_traces(a: TraceSide, b: TraceSide, code_of: Callable[[int], str | None] | None = None) -> TraceDiff:
    """Aligns `a` and `b` and ranks their differences; `code_of(run id)` gives a run's code snapshot for the
    unified diff of two runs whose code differs."""
    pairs: dict[tuple[int, int], Pair] = {}
    paired_a: dict[int, Pair] = {}
    paired_b: dict[int, Pair] = {}
    edges: list[tuple[Pair, str | None, str | None, Pair]] = []  # (pair, input in a, input in b, upstream pair)
    queue: deque[Pair] = deque()

    def add_pair(a_id: int, b_id: int) -> Pair:
        depth = max(a.depth.get(a_id, 0), b.depth.get(b_id, 0))
        pair = Pair(a_id, b_id, a.runs[a_id].component_name, depth)
        pairs[a_id, b_id] = paired_a[a_id] = paired_b[b_id] = pair
        queue.append(pair)
        return pair

    if (
        a.producer is not None
        and b.producer is not None
        and a.runs[a.producer].component_name == b.runs[b.producer].component_name
    ):
        add_pair(a.producer, b.producer)
    while queue:
        while queue:
            pair = queue.popleft()
            for (via_a, a_id), (via_b, b_id) in _match(a, b, a.upstream[pair.a_run_id], b.upstream[pair.b_run_id]):
                existing = pairs.get((a_id, b_id))
                if existing is None:
                    if a_id != b_id and (a_id in paired_a or b_id in paired_b):
                        continue
                    existing = add_pair(a_id, b_id)
                pair.upstream.append(existing)
                edges.append((pair, via_a, via_b, existing))
        # a step that only one side has cuts the walk: runs of a component left on both sides are paired nearest
        # the root first, and the walk goes on from them
        left_a, left_b = _unpaired(a, paired_a), _unpaired_by_component(b, paired_b)
        for run in sorted(left_a, key=lambda u: (u.depth, u.run_id)) if left_b else ():
            group = sorted(left_b.get(run.component, []), key=lambda u: (u.depth, u.run_id))
            if group:
                left_b[run.component] = group[1:]
                add_pair(run.run_id, group[0].run_id)

    only_a = _unpaired(a, paired_a)
    only_b = _unpaired(b, paired_b)
    differences: list[Difference] = []
    for pair in pairs.values():
        pair.differences = _compare(a, b, pair, code_of)
        differences += pair.differences
    for side, only, kind, paired in ((a, only_a, "only_in_a", paired_a), (b, only_b, "only_in_b", paired_b)):
        if not only:
            continue
        readers: dict[int, list[int]] = {}
        for reader_id, reads in side.upstream.items():
            for _via, dep in reads:
                readers.setdefault(dep, []).append(reader_id)
        for run_id, component, depth in ((u.run_id, u.component, u.depth) for u in only):
            is_a = side is a
            diff = Difference(kind, component, depth, run_id if is_a else None, None if is_a else run_id)
            diff.change = "removed" if is_a else "added"
            differences.append(diff)
            for reader_id in readers.get(run_id, []):
                if reader_id in paired:
                    paired[reader_id].only.append(diff)
    if a.producer is None and b.producer is None and a.root != b.root:  # two raw data: only their names tell
        differences.append(Difference("raw_input", "", 0, None, None, "output", a.root, b.root))
    causes = _causes(pairs.values())
    for pair, via_a, via_b, up in edges:
        if up.shared and via_a == via_b:
            continue
        hash_a = None if via_a is None else a.inputs[pair.a_run_id].get(via_a)
        hash_b = None if via_b is None else b.inputs[pair.b_run_id].get(via_b)
        if (hash_a == hash_b and hash_a is not None) or (via_a == via_b and hash_a == hash_b):
            continue  # the same version, whatever the names; without versions, the same name
        key = via_a if via_a == via_b else f"{via_a} / {via_b}"
        diff = Difference(
            "input",
            pair.component,
            pair.depth,
            pair.a_run_id,
            pair.b_run_id,
            key,
            {"name": via_a, "value_hash": hash_a},
            {"name": via_b, "value_hash": hash_b},
            explained=causes.get(id(up)),
        )
        pair.differences.append(diff)
        differences.append(diff)
    differences.sort(key=Difference.sort_key)
    for rank, diff in enumerate(differences, 1):
        diff.rank = rank
    ordered = sorted(pairs.values(), key=lambda p: (p.depth, p.component, p.a_run_id, p.b_run_id))
    return TraceDiff(a.root, b.root, ordered, only_a, only_b, differences)


def _match(
    a: TraceSide, b: TraceSide, up_a: list[tuple[str | None, int]], up_b: list[tuple[str | None, int]]
) -> list[tuple[tuple[str | None, int], tuple[str | None, int]]]:
    """The upstream runs of two paired runs, matched within each component: the same run, then the same input
    name, then by order of input name."""
    if not up_a or not up_b:
        return []
    comp_a, comp_b = a.components, b.components
    groups_b: dict[str, list[tuple[str | None, int]]] = {}
    for item in up_b:
        groups_b.setdefault(comp_b[item[1]], []).append(item)
    groups_a: dict[str, list[tuple[str | None, int]]] = {}
    for item in up_a:
        groups_a.setdefault(comp_a[item[1]], []).append(item)
    matched = []
    for component, items_a in groups_a.items():
        items_b = groups_b.get(component)
        if not items_b:
            continue
        if len(items_a) == 1 and len(items_b) == 1:  # the usual case: one run of the component on each side
            matched.append((items_a[0], items_b[0]))
        else:
            matched += _match_group(items_a, items_b)
    return matched


def _match_group(
    items_a: list[tuple[str | None, int]], items_b: list[tuple[str | None, int]]
) -> list[tuple[tuple[str | None, int], tuple[str | None, int]]]:
    """Runs of one component reached from a pair, matched: the same run, then the same input name, then in the
    order of the input names (explicit links last)."""
    ids_b = {run_id: via for via, run_id in items_b}
    matched = [(item, (ids_b[item[1]], item[1])) for item in items_a if item[1] in ids_b]
    used = {item[1] for item, _other in matched}
    names_b = {via: run_id for via, run_id in items_b if via is not None and run_id not in used}
    left_a = []
    for item in items_a:
        via, run_id = item
        if run_id in used:
            continue
        other = names_b.pop(via, None) if via is not None else None
        if other is None:
            left_a.append(item)
        else:
            matched.append((item, (via, other)))
            used.add(other)
    left_b = sorted((item for item in items_b if item[1] not in used), key=_order)
    matched.extend(zip(sorted(left_a, key=_order), left_b, strict=False))  # the shorter decides
    return matched


def _unpaired(side: TraceSide, paired: dict[int, Pair]) -> list[Unpaired]:
    """The side's runs left unpaired, by id."""
    depth = side.depth
    return [
        Unpaired(run_id, side.components[run_id], depth.get(run_id, 0))
        for run_id in sorted(side.runs.keys() - paired.keys())
    ]


def _unpaired_by_component(side: TraceSide, paired: dict[int, Pair]) -> dict[str, list[Unpaired]]:
    """The side's runs left unpaired, by component."""
    found: dict[str, list[Unpaired]] = {}
    for run in _unpaired(side, paired):
        found.setdefault(run.component, []).append(run)
    return found


def _order(item: tuple[str | None, int]) -> tuple[bool, str, int]:
    via, run_id = item
    return (via is None, via or "", run_id)


def _causes(pairs: Iterable[Pair]) -> dict[int, Difference]:
    """For each pair (by `id`), the top difference at it or upstream of it, if any. A pair's upstream pairs are
    deeper (`depth` counts the longest path), so the deepest pairs are done first."""
    causes: dict[int, Difference] = {}
    key = Difference.sort_key
    get = causes.get
    for pair in sorted(pairs, key=lambda p: -p.depth):
        candidates = [cause for up in pair.upstream if (cause := get(id(up))) is not None]
        if pair.differences or pair.only:
            candidates += [d for d in pair.differences if d.explained is None] + pair.only
        if candidates:
            causes[id(pair)] = candidates[0] if len(candidates) == 1 else min(candidates, key=key)
    return causes


def _compare(a: TraceSide, b: TraceSide, pair: Pair, code_of: Callable[[int], str | None] | None) -> list[Difference]:
    """What differs between the two runs of a pair, besides the inputs they read from paired runs."""
    if pair.shared:
        return []
    run_a, run_b = a.runs[pair.a_run_id], b.runs[pair.b_run_id]

    def diff(kind: str, key: str | None, value_a: Any, value_b: Any, change: str = "changed") -> Difference:
        return Difference(kind, pair.component, pair.depth, pair.a_run_id, pair.b_run_id, key, value_a, value_b, change)

    raw_a, raw_b = a.raw[pair.a_run_id], b.raw[pair.b_run_id]
    found = [
        diff("raw_input", name, {"name": name_a, "value_hash": hash_a}, {"name": name_b, "value_hash": hash_b}, change)
        for name, name_a, hash_a, name_b, hash_b, change in (_raw_changes(raw_a, raw_b) if raw_a != raw_b else ())
    ]
    if run_a.code_hash != run_b.code_hash:
        code = diff("code", None, run_a.code_hash, run_b.code_hash)
        if code_of is not None:
            code.code_diff = unified_code_diff(
                code_of(pair.a_run_id),
                code_of(pair.b_run_id),
                f"a/{pair.component} (run {pair.a_run_id})",
                f"b/{pair.component} (run {pair.b_run_id})",
            )
        found.append(code)
    if run_a.params != run_b.params:
        found += [diff("params", key, x, y, change) for key, x, y, change in _key_changes(run_a.params, run_b.params)]
    if run_a.git_hash != run_b.git_hash:
        found.append(diff("git", None, run_a.git_hash, run_b.git_hash))
    if run_a.stale != run_b.stale and [_RUN_ID.sub("run …", m) for m in run_a.stale] != [
        _RUN_ID.sub("run …", m) for m in run_b.stale
    ]:
        found.append(diff("stale", None, list(run_a.stale), list(run_b.stale)))
    if run_a.metrics != run_b.metrics:
        found += [
            diff("metrics", key, x, y, change) for key, x, y, change in _key_changes(run_a.metrics, run_b.metrics)
        ]
    if run_a.status != run_b.status:
        found.append(diff("status", None, run_a.status, run_b.status))
    if run_a.test_results != run_b.test_results:
        found.append(diff("tests", None, run_a.test_results, run_b.test_results))
    return found


def _raw_changes(
    raw_a: dict[str, str | None], raw_b: dict[str, str | None]
) -> list[tuple[str, str | None, str | None, str | None, str | None, str]]:
    """`(key, name in a, hash in a, name in b, hash in b, change)` for raw inputs that differ: by name, then the
    names found on one side only, in order."""
    changes: list[tuple[str, str | None, str | None, str | None, str | None, str]] = [
        (name, name, raw_a[name], name, raw_b[name], "changed")
        for name in sorted(raw_a.keys() & raw_b.keys())
        if raw_a[name] != raw_b[name]
    ]
    left_a = sorted(raw_a.keys() - raw_b.keys())
    left_b = sorted(raw_b.keys() - raw_a.keys())
    for x, y in zip(left_a, left_b, strict=False):
        changes.append((f"{x} / {y}", x, raw_a[x], y, raw_b[y], "changed"))
    for x in left_a[len(left_b) :]:
        changes.append((x, x, raw_a[x], None, None, "removed"))
    for y in left_b[len(left_a) :]:
        changes.append((y, None, None, y, raw_b[y], "added"))
    return changes


def _key_changes(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, Any, Any, str]]:
    """`(key, value in a, value in b, change)` for the keys whose values differ, in key order."""
    missing = object()
    changes = []
    for key in sorted(a.keys() | b.keys()):
        x, y = a.get(key, missing), b.get(key, missing)
        if x is missing:
            changes.append((key, None, y, "added"))
        elif y is missing:
            changes.append((key, x, None, "removed"))
        elif x != y:
            changes.append((key, x, y, "changed"))
    return changes


def unified_code_diff(code_a: str | None, code_b: str | None, name_a: str, name_b: str) -> str:
    """The unified diff of two code snapshots ("" when neither has one or they are equal)."""
    lines = difflib.unified_diff(
        (code_a or "").splitlines(keepends=True), (code_b or "").splitlines(keepends=True), name_a, name_b
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
