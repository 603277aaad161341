"""Diff puts the planted change first, pairs runs by their place in the trace, and finds nothing in equal traces."""

from __future__ import annotations

from typing import Any

import pytest

from mltrace.client import Client
from mltrace.entities import ComponentRun, IOPointer
from mltrace.errors import NotFoundError
from mltrace.lineage.trace_diff import TraceDiff, diff_traces, trace_side
from tests.diff_pipelines import CLEAN_CODE, pipeline, train
from tests.factories import run


def first(result: TraceDiff) -> Any:
    assert result.differences, "a difference was expected"
    return result.differences[0]


def test_a_changed_raw_batch_is_the_top_difference_and_explains_the_downstream_inputs(client: Client) -> None:
    client.ingest([train(0), *pipeline("a", 100, raw="r1"), *pipeline("b", 200, raw="r2")])
    result = client.diff("pred/a", "pred/b")
    top = first(result)
    assert (top.kind, top.component, top.key) == ("raw_input", "ingest", "raw/batch.csv")
    assert (top.a["value_hash"], top.b["value_hash"]) == ("r1", "r2")
    inputs = [d for d in result.differences if d.kind == "input"]
    assert {d.component for d in inputs} == {"clean", "predict"}
    assert all(d.explained_by == top.rank == 1 for d in inputs)
    assert not result.identical
    assert {p.component: p.shared for p in result.pairs} == {
        "predict": False,
        "clean": False,
        "ingest": False,
        "train": True,
    }


def test_a_changed_code_snapshot_is_the_top_difference_with_its_unified_diff(client: Client) -> None:
    changed = CLEAN_CODE.replace("r.ok", "r.ok and r.valid")
    client.ingest([train(0), *pipeline("a", 100), *pipeline("b", 200, code_hash="c2", code_snapshot=changed)])
    top = first(client.diff("pred/a", "pred/b"))
    assert (top.kind, top.component, top.a, top.b) == ("code", "clean", "c1", "c2")
    assert "-    return [r for r in rows if r.ok]\n" in top.code_diff
    assert "+    return [r for r in rows if r.ok and r.valid]\n" in top.code_diff


def test_a_changed_param_is_the_top_difference_key_by_key(client: Client) -> None:
    client.ingest([train(0), *pipeline("a", 100), *pipeline("b", 200, params={"threshold": 0.9, "seed": 3})])
    result = client.diff("pred/a", "pred/b")
    params = [(d.key, d.a, d.b, d.change) for d in result.differences if d.kind == "params"]
    assert params == [("seed", None, 3, "added"), ("threshold", 0.5, 0.9, "changed")]
    assert first(result).kind == "params"


def test_a_stale_model_input_is_the_top_difference(client: Client) -> None:
    # train ran again (same code) before both pipelines; b's predict still read the first model
    client.ingest([train(0, "m1"), train(50, "m2"), *pipeline("a", 100, model="m2"), *pipeline("b", 200, model="m1")])
    result = client.diff("pred/a", "pred/b")
    top = first(result)
    assert (top.kind, top.component, top.a) == ("stale", "predict", [])
    assert any("outdated version of 'model.pkl'" in message for message in top.b)


def test_the_same_output_twice_is_identical_and_every_run_shared(client: Client) -> None:
    client.ingest([train(0), *pipeline("a", 100)])
    result = client.diff("pred/a", "pred/a")
    assert result.identical and result.differences == []
    assert len(result.pairs) == 4 and all(p.shared for p in result.pairs)
    assert result.only_a == result.only_b == []


def test_outputs_of_equal_runs_are_identical(client: Client) -> None:
    client.ingest([train(0), *pipeline("a", 100), *pipeline("b", 200)])
    result = client.diff("pred/a", "pred/b")
    assert result.identical
    assert sorted((p.component, p.shared) for p in result.pairs) == [
        ("clean", False),
        ("ingest", False),
        ("predict", False),
        ("train", True),
    ]


def test_a_step_only_one_side_has_is_reported_and_the_steps_around_it_still_pair(client: Client) -> None:
    records = [train(0), *pipeline("a", 100)]
    records += [
        run("ingest", 200, inputs=[("raw/batch.csv", "r1")], outputs=[("batch.csv", "b-r1")], code_hash="i1"),
        run("dedupe", 205, inputs=[("batch.csv", "b-r1")], outputs=[("dedup.csv", "d1")]),
        run("clean", 210, inputs=[("dedup.csv", "d1")], outputs=[("clean.csv", "x")], code_hash="c1"),
        run("predict", 220, inputs=[("clean.csv", "x"), ("model.pkl", "m1")], outputs=["pred/b"], code_hash="p1"),
    ]
    ids = client.ingest(records)
    result = client.diff("pred/a", "pred/b")
    assert result.only_a == []
    assert [(u.run_id, u.component) for u in result.only_b] == [(ids[-3], "dedupe")]
    assert {p.component for p in result.pairs} == {"train", "ingest", "clean", "predict"}
    top = first(result)
    assert (top.kind, top.component, top.b_run_id) == ("only_in_b", "dedupe", ids[-3])


def twice(side: str, start: float, second_raw: str) -> list[Any]:
    """clean runs on two raw files, then join: the same component twice in one trace."""
    return [
        run("clean", start, inputs=[("raw/1.csv", "r1")], outputs=[(f"{side}/clean/1", "c1")], code_hash="c"),
        run("clean", start + 1, inputs=[("raw/2.csv", second_raw)], outputs=[(f"{side}/clean/2", "c2")], code_hash="c"),
        run(
            "join",
            start + 10,
            inputs=[(f"{side}/clean/1", "c1"), (f"{side}/clean/2", "c2")],
            outputs=[f"{side}/joined"],
        ),
    ]


def test_a_component_used_twice_is_paired_by_its_position(client: Client) -> None:
    ids = client.ingest([*twice("a", 100, "r2"), *twice("b", 200, "r2-new")])
    result = client.diff("a/joined", "b/joined")
    pairs = {(p.a_run_id, p.b_run_id) for p in result.pairs}
    assert pairs == {(ids[0], ids[3]), (ids[1], ids[4]), (ids[2], ids[5])}
    top = first(result)
    assert (top.kind, top.key, top.a_run_id, top.b_run_id) == ("raw_input", "raw/2.csv", ids[1], ids[4])


def test_outputs_named_per_run_with_the_same_versions_do_not_differ(client: Client) -> None:
    client.ingest([*twice("a", 100, "r2"), *twice("b", 200, "r2")])
    result = client.diff("a/joined", "b/joined")
    assert result.identical and len(result.pairs) == 3


def test_an_unknown_output_is_not_found(client: Client) -> None:
    client.ingest([train(0), *pipeline("a", 100)])
    with pytest.raises(NotFoundError):
        client.diff("pred/a", "pred/nothing")


def chain(first_id: int, raw: str, length: int) -> list[ComponentRun]:
    """Stored runs step0 → step1 → … each reading the previous one's output; step0 reads `raw`."""
    runs = []
    for i in range(length):
        source = IOPointer("raw.csv", value_hash=raw) if i == 0 else IOPointer(f"o{i - 1}", value_hash=f"{raw}{i - 1}")
        runs.append(
            ComponentRun(
                f"step{i}",
                id=first_id + i,
                inputs=[source],
                outputs=[IOPointer(f"o{i}", value_hash=f"{raw}{i}")],
                dependencies=[first_id + i - 1] if i else [],
            )
        )
    return runs


def test_a_chain_thousands_of_runs_deep_is_paired_whole_and_its_source_ranks_first() -> None:
    length = 3000
    a = trace_side("a", length, chain(1, "r1", length))
    b = trace_side("b", 2 * length, chain(length + 1, "r2", length))
    result = diff_traces(a, b)
    assert len(result.pairs) == length
    top = first(result)
    assert (top.kind, top.component, top.depth) == ("raw_input", "step0", length - 1)
    assert len(result.differences) == length
    assert all(d.explained_by == 1 for d in result.differences[1:])
