"""The trace assembler gives the same graph whatever order a walk's steps arrive in (pointers other than the
root come in the order the steps showed them)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import pytest

from mltrace.lineage.trace_graph import RunFacts, TraceAssembler

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _run(columns: Sequence[Any]) -> RunFacts:
    (component,) = columns
    return component, T0, T0, "success", [], 2


# Upstream from "out", written by run 3, which read "a" (from run 1) and "b" (from run 2); run 2 read "a" too.
# Run 1 is one run away from run 3 through "a" and two through "b": a limit of 2 keeps it, at depth 2.
STEPS = [
    (None, 3, None, None, None, None, 1, ["train"]),
    (3, 2, 20, "b", "data", False, 2, ["clean"]),
    (3, 1, 10, "a", "data", True, 2, ["ingest"]),
    (2, 1, 10, "a", "data", True, 3, ["ingest"]),
]


def _walk(depth: int | None) -> list[tuple[Any, ...]]:
    """The steps a walk gives: those out of the last level too, and no depths without a limit."""
    if depth is None:
        return [(*step[:6], 0, step[7]) for step in STEPS]
    return [step for step in STEPS if step[6] <= depth + 1]


def _graph(steps: Sequence[tuple[Any, ...]], depth: int | None) -> dict[str, Any]:
    graph = TraceAssembler("out", "upstream", depth, _run)
    graph.describe_root("data", False)
    for step in steps:
        graph.add(*step)
    graph.link_root(3)
    return graph.build()


@pytest.mark.parametrize("depth", [None, 1, 2])
def test_any_order_of_steps_gives_the_same_graph(depth: int | None) -> None:
    expected = _graph(_walk(depth), depth)
    for order in itertools.permutations(_walk(depth)):
        graph = _graph(order, depth)
        runs = 1 + sum(n["kind"] == "run" for n in expected["nodes"])  # the root, then the runs in a set order
        assert graph["nodes"][:runs] == expected["nodes"][:runs]
        assert sorted(graph["nodes"][runs:], key=str) == sorted(expected["nodes"][runs:], key=str)
        assert sorted(map(str, graph["edges"])) == sorted(map(str, expected["edges"]))


def test_runs_come_nearest_first_and_past_the_limit_only_their_pointers() -> None:
    one = _graph(list(reversed(_walk(1))), depth=1)
    assert [n["id"] for n in one["nodes"]][:2] == ["pointer:out", "run:3"]
    assert sorted(n["id"] for n in one["nodes"][2:]) == ["pointer:a", "pointer:b"]
    assert {(e["source"], e["target"]) for e in one["edges"]} == {
        ("pointer:a", "run:3"),
        ("pointer:b", "run:3"),
        ("run:3", "pointer:out"),
    }
    two = _graph(list(reversed(_walk(2))), depth=2)
    assert [(n["id"], n.get("depth")) for n in two["nodes"] if n["kind"] == "run"] == [
        ("run:3", 1),
        ("run:1", 2),
        ("run:2", 2),
    ]
    assert ("run:1", "pointer:a") in {(e["source"], e["target"]) for e in two["edges"]}
