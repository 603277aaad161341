"""Trace follows recorded versions, returns each node once, and agrees with an independent networkx walk."""

from __future__ import annotations

import random
from datetime import timedelta, timezone
from pathlib import Path

import networkx as nx
import pytest

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db import lineage_queries
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


def within_depth(logged: nx.DiGraph, root: str, depth: int, direction: str) -> tuple[set[str], dict[str, int]]:
    """The nodes of a depth-limited trace of `root` and each run's depth, by the definition: the runs at most
    `depth` runs away, with their inputs (upstream) or outputs (downstream)."""
    graph = logged.reverse() if direction == "upstream" else logged
    hops = nx.single_source_shortest_path_length(graph, root, cutoff=2 * depth - 1)
    runs = {node: (n + 1) // 2 for node, n in hops.items() if node.startswith("run:")}
    nodes = {root} | set(runs) | {p for run in runs for p in graph.successors(run)}
    return nodes, runs


@pytest.mark.parametrize("seed", [4, 5])
def test_depth_limited_traces_are_the_logged_graph_around_the_runs_within_the_limit(client: Client, seed: int) -> None:
    records, logged = random_pipeline(seed)
    ids = client.ingest(records)
    position = {rid: i for i, rid in enumerate(ids)}
    pointers = [n for n in logged if n.startswith("pointer:")]
    for node in random.Random(seed).sample(pointers, 8):
        for direction in ("upstream", "downstream"):
            for depth in (1, 2, 3):
                graph = client.trace(node.split(":", 1)[1], direction, depth=depth)
                nodes, runs = within_depth(logged, node, depth, direction)
                assert translate(graph, position) == nodes
                assert {
                    f"run:{position[n['run_id']]}": n["depth"] for n in graph["nodes"] if n["kind"] == "run"
                } == runs
                edges = {(e["source"], e["target"]) for e in graph["edges"]}
                run_id = {f"run:{rid}": f"run:{i}" for rid, i in position.items()}
                assert {(run_id.get(s, s), run_id.get(t, t)) for s, t in edges} == set(logged.subgraph(nodes).edges)


def test_a_depth_limit_keeps_the_links_between_runs_inside_it(client: Client) -> None:
    client.ingest(
        [
            run("a", 0, outputs=["x", "w"]),
            run("b", 10, outputs=["y"]),
            run("c", 20, inputs=["y", "w"], outputs=["z"]),
            run("d", 30, inputs=["z", "x"], outputs=["out"]),
        ]
    )
    graph = client.trace("out", depth=2)
    component = {n["id"]: n["component"] for n in graph["nodes"] if n["kind"] == "run"}
    edges = {(component.get(e["source"], e["source"]), component.get(e["target"], e["target"])) for e in graph["edges"]}
    assert sorted(component.values()) == ["a", "c", "d"]
    assert ("a", "pointer:w") in edges and ("pointer:w", "c") in edges  # c is the last level; a is inside
    assert ("pointer:y", "c") in edges and not any(source == "b" for source, _ in edges)


def test_explicit_links_between_runs_are_edges_both_ways(client: Client) -> None:
    (a,) = client.ingest([run("a", 0, inputs=["src"], outputs=["x"])])
    (b,) = client.ingest([run("b", 10, outputs=["y"], upstream=[a])])
    up = client.trace("y")
    assert {(e["source"], e["target"]) for e in up["edges"]} == {
        ("pointer:src", f"run:{a}"),
        (f"run:{a}", f"run:{b}"),
        (f"run:{b}", "pointer:y"),
    }
    down = client.trace("src", "downstream")
    assert {(e["source"], e["target"]) for e in down["edges"]} == {
        ("pointer:src", f"run:{a}"),
        (f"run:{a}", "pointer:x"),
        (f"run:{a}", f"run:{b}"),
        (f"run:{b}", "pointer:y"),
    }


def test_trace_times_are_utc_with_microseconds(client: Client) -> None:
    records = [run("a", 0.123456, end=0.5, outputs=["x"]), run("b", 2, inputs=["x"], outputs=["y"])]
    client.ingest(records)
    nodes = {n["component"]: n for n in client.trace("y")["nodes"] if n["kind"] == "run"}
    assert (nodes["a"]["start"], nodes["a"]["end"], nodes["b"]["start"]) == (
        records[0].start_timestamp,
        records[0].end_timestamp,
        records[1].start_timestamp,
    )
    assert all(n[k].tzinfo is timezone.utc for n in nodes.values() for k in ("start", "end"))


def test_trace_times_are_utc_whatever_the_session_time_zone(postgres_uri: str, mltrace_home: Path) -> None:
    record = run("a", 0.25, outputs=["x"])
    Client(postgres_uri, config=Config.from_env()).ingest([record])
    kolkata = Client(postgres_uri + "%20-ctimezone%3DAsia/Kolkata", config=Config.from_env())
    (node,) = [n for n in kolkata.trace("x")["nodes"] if n["kind"] == "run"]
    assert node["start"] == record.start_timestamp and node["start"].tzinfo is timezone.utc


def test_trace_from_a_run_that_did_not_write_the_output_has_no_edge_to_it(client: Client) -> None:
    first, _ = client.ingest([run("w", 0, outputs=["out"]), run("v", 5, outputs=["other"])])
    graph = client.trace("other", run_id=first)
    assert [n["run_id"] for n in graph["nodes"] if n["kind"] == "run"] == [first]
    assert graph["edges"] == []


def test_trace_nodes_and_edges_have_the_contract_shape(client: Client) -> None:
    client.ingest(
        [
            run("ingest", 0, inputs=["raw.csv"], outputs=["clean.csv"]),
            run("predict", 10, inputs=["clean.csv"], outputs=["pred/1"]),
        ]
    )
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
            records.append(
                run(f"l{level}{side}", t, inputs=[f"l{level - 1}/a", f"l{level - 1}/b"], outputs=[f"l{level}/{side}"])
            )
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
    with pytest.raises(NotFoundError):
        client.trace("out", run_id=2**40)  # beyond the ids a run can have
    with pytest.raises(InvalidInputError, match="run_id must be an integer"):
        client.trace("out", run_id="1")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        client.trace("out\x00")  # no stored name holds NUL (PostgreSQL's driver refuses to send one)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_a_whole_trace_marks_each_run_as_the_marks_of_the_runs_say(client: Client, seed: int) -> None:
    """A whole upstream trace finds its marks in its own statement: they equal those `suspicions` finds for the
    same runs (a walk of its own, up to 50 runs up: the pipelines here are shallower)."""
    records, _ = random_pipeline(seed)
    rng = random.Random(seed)
    for record in rng.sample(records, 4):
        record.test_results = [{"name": "sane", "passed": False}]
    ids = client.ingest(records)
    for name in rng.sample([p.name for r in records for p in r.inputs], 3):
        client.flag(name, "wrong")
    marked = 0
    for record, run_id in list(zip(records, ids, strict=True))[-10:]:
        graph = client.trace(record.outputs[0].name)
        shown = [node["run_id"] for node in graph["nodes"] if node["kind"] == "run"]
        expected = client.suspicions(shown)
        for node in graph["nodes"]:
            if node["kind"] == "run":
                marks = expected[node["run_id"]].run if node["run_id"] in expected else ()
                assert node["suspect"] == [{"reason": m.reason, "source": m.source} for m in marks]
                marked += bool(marks)
        root_marks = expected[run_id].outputs if run_id in expected else ()
        assert graph["nodes"][0]["suspect"] == [{"reason": m.reason, "source": m.source} for m in root_marks]
    assert marked  # the seeds plant marks that reach the traces


def test_a_whole_trace_is_one_statement_when_its_steps_show_every_pointer(client: Client) -> None:
    """The pointer, the walk and where the marks come from are asked in one statement; a run that read a pointer
    no run wrote costs one more."""
    client.ingest([run("a", 0, outputs=["x"]), run("b", 10, inputs=["x"], outputs=["y"])])
    client.ingest([run("c", 20, inputs=["y", "raw"], outputs=["z"])])
    assert statements_run(client, "y") == 1
    assert statements_run(client, "z") == 2


def statements_run(client: Client, output_id: str) -> int:
    """How many statements a trace of `output_id` runs, as the database counts them: SQLite's trace of statements,
    PostgreSQL's count of executions of the connection's prepared statements (a trace's are all prepared)."""
    with client.store.read() as conn:
        lineage_queries.trace(conn, output_id)  # prepares them on this connection
        dbapi = conn.connection.dbapi_connection
        if conn.dialect.name == "sqlite":
            seen: list[str] = []
            dbapi.set_trace_callback(seen.append)
            try:
                lineage_queries.trace(conn, output_id)
            finally:
                dbapi.set_trace_callback(None)
            return len([statement for statement in seen if not statement.startswith("BEGIN")])
        executions = "SELECT sum(generic_plans + custom_plans) FROM pg_prepared_statements"
        before = conn.exec_driver_sql(executions).scalar_one()
        lineage_queries.trace(conn, output_id)
        return int(conn.exec_driver_sql(executions).scalar_one() - before)


def test_names_and_messages_with_any_characters_come_back_exactly(client: Client) -> None:
    odd = 'tab\there, line\nbreak, back\\slash \\N "quoted" \r café'
    names = [f"in/{odd}", "\\N", f"out/{odd}"]
    client.ingest(
        [
            run(f"ingest {odd}", 0, outputs=[names[0], names[1]]),
            run("train", timedelta(days=40).total_seconds(), inputs=names[:2], outputs=[names[2]]),
        ]
    )
    train = client.history("train")[0]
    assert train.stale and odd in train.stale[0]  # the message names the component
    client.flag(names[1])
    graph = client.trace(names[2])
    pointers = {n["name"]: n["flagged"] for n in graph["nodes"] if n["kind"] == "pointer"}
    assert pointers == {names[0]: False, names[1]: True, names[2]: False}
    runs = {n["component"]: n["stale"] for n in graph["nodes"] if n["kind"] == "run"}
    assert runs == {f"ingest {odd}": [], "train": train.stale}
    down = client.trace(names[1], "downstream")
    assert {n["id"] for n in down["nodes"]} == {f"pointer:{names[1]}", f"run:{train.id}", f"pointer:{names[2]}"}


def test_backtrace_and_web_trace_keep_their_original_shapes(client: Client, monkeypatch) -> None:
    client.ingest(
        [
            run("a", 0, outputs=["x"]),
            run("b", 10, inputs=["x"], outputs=["y"]),
            run("c", 20, inputs=["x", "y"], outputs=["z"]),
        ]
    )
    levels = [(level, r.component_name) for level, r in client.backtrace("z")]
    assert levels == [(0, "c"), (1, "a"), (1, "b")]
    tree = client.web_trace("z")
    assert tree[0]["label"].startswith("c (run")
    labels = [child["label"] for child in tree[0]["childNodes"]]
    assert labels == ["x", "y"] or labels == ["y", "x"]


def test_web_trace_nests_a_long_chain_and_expands_a_run_reached_twice_once(client: Client) -> None:
    client.ingest([run("step", i, inputs=[f"x{i}"] if i else [], outputs=[f"x{i + 1}"]) for i in range(3000)])
    (producer,) = client.web_trace("x3000")
    labels, item = [], producer
    while item["childNodes"]:
        (item,) = item["childNodes"]
        labels.append(item["label"])
    assert len(labels) == 2 * 2999 and labels[-1].startswith("step (run")  # x2999, its writer, … x1, the first run
    client.ingest(
        [
            run("src", 5000, outputs=["s"]),
            run("left", 5010, inputs=["s"], outputs=["l"]),
            run("right", 5020, inputs=["s"], outputs=["r"]),
            run("join", 5030, inputs=["l", "r"], outputs=["j"]),
        ]
    )
    (join,) = client.web_trace("j")
    first, second = [branch["childNodes"][0]["childNodes"][0] for branch in join["childNodes"]]
    assert {first["label"], second["label"]} == {"s"}
    assert [len(first["childNodes"]), len(second["childNodes"])] == [1, 0]  # "s" expanded where first met
    assert first["hasCaret"] and not second["hasCaret"]
