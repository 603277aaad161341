"""Trace follows recorded versions, returns each node once, and agrees with an independent networkx walk."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from mltrace.client import Client
from mltrace.errors import InvalidInputError, NotFoundError
from tests.factories import run


def random_pipeline(seed: int, n_runs: int = 60):
    """Runs that each read a few earlier outputs and write new ones, plus the logged graph (networkx)."""
    rng = random.Random(seed)
    records, written = [], []
    logged = nx.DiGraph()
    for i in range(n_runs):
        reads = rng.sample(written, k=min(len(written), rng.randint(0, 3)))
        writes = [f"p{i}/{j}" for j in range(rng.randint(1, 2))]
        records.append(run(f"c{i % 5}", i * 10, inputs=reads, outputs=writes))
        for name in reads:
            logged.add_edge(f"pointer:{name}", f"run:{i}")
        for name in writes:
            logged.add_edge(f"run:{i}", f"pointer:{name}")
        written += writes
    return records, logged


def translate(graph: dict, id_of: dict[int, int]) -> set[str]:
    """Node ids of a trace with run ids mapped back to record positions."""
    out = set()
    for node in graph["nodes"]:
        out.add(f"run:{id_of[node['run_id']]}" if node["kind"] == "run" else node["id"])
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_trace_sets_equal_an_independent_networkx_walk(client: Client, seed: int) -> None:
    records, logged = random_pipeline(seed)
    ids = client.ingest(records)
    position = {rid: i for i, rid in enumerate(ids)}
    pointers = [n for n in logged if n.startswith("pointer:")]
    for node in random.Random(seed).sample(pointers, 10):
        name = node.split(":", 1)[1]
        up = client.trace(name, "upstream")
        assert translate(up, position) == nx.ancestors(logged, node) | {node}
        down = client.trace(name, "downstream")
        assert translate(down, position) == nx.descendants(logged, node) | {node}


def test_trace_nodes_and_edges_have_the_contract_shape(client: Client) -> None:
    client.ingest([
        run("ingest", 0, inputs=["raw.csv"], outputs=["clean.csv"]),
        run("predict", 10, inputs=["clean.csv"], outputs=["pred/1"]),
    ])
    graph = client.trace("pred/1")
    assert graph["root"] == "pointer:pred/1" and graph["direction"] == "upstream"
    kinds = {n["id"]: n for n in graph["nodes"]}
    predict = next(n for n in graph["nodes"] if n.get("component") == "predict")
    assert set(predict) >= {"id", "kind", "run_id", "component", "start", "end", "status", "stale"}
    assert set(kinds["pointer:clean.csv"]) >= {"id", "kind", "name", "type", "flagged"}
    edges = {(e["source"], e["target"]) for e in graph["edges"]}
    ingest_id = next(n["id"] for n in graph["nodes"] if n.get("component") == "ingest")
    assert edges == {
        ("pointer:raw.csv", ingest_id),
        (ingest_id, "pointer:clean.csv"),
        ("pointer:clean.csv", predict["id"]),
        (predict["id"], "pointer:pred/1"),
    }


def test_a_chain_of_10000_runs_traces_without_recursion_limits(client: Client) -> None:
    client.ingest([run("step", i, inputs=[f"x{i}"] if i else [], outputs=[f"x{i + 1}"]) for i in range(10_000)])
    graph = client.trace("x10000")
    assert sum(1 for n in graph["nodes"] if n["kind"] == "run") == 10_000


def test_a_diamond_pipeline_returns_each_run_once(client: Client) -> None:
    records, t = [run("src", 0, outputs=["l0/a", "l0/b"])], 1
    for level in range(1, 12):
        for side in "ab":
            records.append(run(f"l{level}{side}", t, inputs=[f"l{level - 1}/a", f"l{level - 1}/b"],
                               outputs=[f"l{level}/{side}"]))
            t += 1
    client.ingest(records)
    graph = client.trace("l11/a")
    run_nodes = [n for n in graph["nodes"] if n["kind"] == "run"]
    assert len(run_nodes) == len({n["id"] for n in run_nodes}) == 22  # 1 + 2 per level below 11, + l11a
    assert len(graph["edges"]) == len({(e["source"], e["target"]) for e in graph["edges"]})


def test_depth_counts_runs(client: Client) -> None:
    client.ingest([run(f"s{i}", i * 10, inputs=[f"x{i}"], outputs=[f"x{i + 1}"]) for i in range(5)])
    one = client.trace("x5", depth=1)
    assert [n["component"] for n in one["nodes"] if n["kind"] == "run"] == ["s4"]
    two_down = client.trace("x0", "downstream", depth=2)
    assert sorted(n["component"] for n in two_down["nodes"] if n["kind"] == "run") == ["s0", "s1"]
    assert "pointer:x2" in {n["id"] for n in two_down["nodes"]}


def test_trace_from_an_explicit_run(client: Client) -> None:
    ids = client.ingest([run("w", 0, outputs=["out"]), run("w", 10, outputs=["out"])])
    graph = client.trace("out", run_id=ids[0])
    assert [n["run_id"] for n in graph["nodes"] if n["kind"] == "run"] == [ids[0]]


def test_trace_errors(client: Client) -> None:
    client.ingest([run("w", 0, outputs=["out"])])
    with pytest.raises(NotFoundError):
        client.trace("never-logged")
    with pytest.raises(InvalidInputError):
        client.trace("out", direction="sideways")
    with pytest.raises(InvalidInputError):
        client.trace("out", depth=0)
    with pytest.raises(NotFoundError):
        client.trace("out", run_id=424242)


def test_backtrace_and_web_trace_keep_their_original_shapes(client: Client, monkeypatch) -> None:
    client.ingest([
        run("a", 0, outputs=["x"]),
        run("b", 10, inputs=["x"], outputs=["y"]),
        run("c", 20, inputs=["x", "y"], outputs=["z"]),
    ])
    levels = [(level, r.component_name) for level, r in client.backtrace("z")]
    assert levels == [(0, "c"), (1, "a"), (1, "b")]
    tree = client.web_trace("z")
    assert tree[0]["label"].startswith("c (run")
    labels = [child["label"] for child in tree[0]["childNodes"]]
    assert labels == ["x", "y"] or labels == ["y", "x"]
