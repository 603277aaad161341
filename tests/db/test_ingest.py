"""Version-exact, order-independent dependency resolution and staleness, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest

from mltrace.client import Client
from mltrace.errors import RunsRefusedError
from tests.factories import run


def resolved_by_key(client: Client, records) -> dict[str, tuple[set[str], list[str]]]:
    """Each record's dependencies and staleness messages, with run ids replaced by record keys."""
    stored = client.recent(limit=500)
    by_start = {(r.component_name, r.start_timestamp): r for r in stored}
    key_of = {by_start[(rec.component_name, rec.start_timestamp)].id: rec.key for rec in records}

    def keyed(message: str) -> str:
        return re.sub(r"run (\d+)", lambda m: f"run {key_of[int(m.group(1))]}", message)

    return {key_of[r.id]: ({key_of[d] for d in r.dependencies}, [keyed(m) for m in r.stale]) for r in stored}


def test_run_depends_on_latest_writer_that_finished_before_it_started(client: Client) -> None:
    early = run("train", 0, outputs=["model.pkl"])
    late = run("train", 10, end=30, outputs=["model.pkl"])  # still running when predict starts
    predict = run("predict", 20, inputs=["model.pkl"], outputs=["p1"])
    client.ingest([early, late, predict])
    stored = {r.component_name + str(r.start_timestamp.second): r for r in client.recent(10)}
    early_id = stored["train0"].id
    assert stored["predict20"].dependencies == [early_id]


def test_trace_follows_the_version_the_run_actually_read(client: Client) -> None:
    v1 = run("train", 0, outputs=[("model.pkl", "v1")])
    v2 = run("train", 10, outputs=[("model.pkl", "v2")])
    predict = run("predict", 20, inputs=[("model.pkl", "v1")], outputs=["p1"])
    client.ingest([v1, v2, predict])
    runs = {r.start_timestamp.second: r for r in client.recent(10)}
    assert runs[20].dependencies == [runs[0].id]
    assert any("outdated version of 'model.pkl'" in m and f"run {runs[10].id}" in m for m in runs[20].stale)


def test_shuffled_delivery_gives_the_same_dependencies_and_staleness(db_uri: str, mltrace_home) -> None:
    records = []
    for day in range(6):
        t = day * 100
        records.append(run("ingest", t, outputs=[(f"raw/{day}.csv", f"h{day}")]))
        records.append(run("clean", t + 10, inputs=[(f"raw/{day}.csv", f"h{day}")], outputs=["clean.csv"]))
        if day % 2 == 0:
            records.append(run("train", t + 20, inputs=["clean.csv"], outputs=[("model.pkl", f"m{day}")]))
        records.append(
            run("predict", t + 30, inputs=[("model.pkl", f"m{day - day % 2}"), "clean.csv"], outputs=[f"pred-{day}"])
        )
    records.append(run("predict", 650, inputs=[("model.pkl", "m0")], outputs=["pred-old-model"]))
    client = Client(db_uri)
    client.ingest(records)
    expected = resolved_by_key(client, records)
    assert any(stale for _, stale in expected.values()), "the scenario must contain a stale run"
    assert sum(len(deps) for deps, _ in expected.values()) >= 20
    for seed in range(3):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        client.clean()
        for i in range(0, len(shuffled), 4):
            client.ingest(shuffled[i : i + 4])
        assert resolved_by_key(client, records) == expected


def test_delivering_the_same_run_twice_stores_it_once(client: Client) -> None:
    record = run("train", 0, outputs=["model.pkl"])
    client.ingest([record])
    client.ingest([record, record])
    assert len(client.recent(10)) == 1


def test_dependency_older_than_threshold_is_stale(client: Client) -> None:
    client.ingest(
        [
            run("ingest", 0, outputs=["raw.csv"]),
            run("clean", timedelta(days=31).total_seconds(), inputs=["raw.csv"], outputs=["clean.csv"]),
            run("clean", 60, inputs=["raw.csv"], outputs=["clean2.csv"]),
        ]
    )
    late, early = client.history("clean")  # newest first
    assert any("ingest" in m and "31 days" in m and "threshold 30 days" in m for m in late.stale)
    assert early.stale == []


def test_component_running_again_on_other_pointers_does_not_make_readers_stale(client: Client) -> None:
    client.ingest(
        [
            run("featurize", 0, outputs=[("train_features.csv", "a")]),
            run("featurize", 10, outputs=[("test_features.csv", "b")]),  # same component, other pointer
            run("train", 20, inputs=[("train_features.csv", "a")], outputs=["model.pkl"]),
        ]
    )
    (train,) = client.history("train")
    assert train.stale == []
    assert len(train.dependencies) == 1


def test_threshold_is_per_run(client: Client) -> None:
    client.ingest(
        [
            run("ingest", 0, outputs=["raw.csv"]),
            run("clean", 7200, inputs=["raw.csv"], outputs=["c.csv"], staleness_threshold_s=3600),
        ]
    )
    (clean,) = client.history("clean")
    assert clean.stale and "2 hours" in clean.stale[0]


def test_explicit_upstream_links_are_kept_when_inputs_are_resolved(client: Client) -> None:
    client.ingest([run("a", 0, outputs=["x"])])
    (a,) = client.history("a")
    client.ingest([run("b", 10, inputs=["x"], upstream=[a.id]), run("c", 20, upstream=[a.id])])
    (b,), (c,) = client.history("b"), client.history("c")
    assert b.dependencies == [a.id]
    assert c.dependencies == [a.id]


def test_a_run_linked_to_an_unknown_upstream_run_is_refused_by_name_on_every_store(client: Client) -> None:
    client.ingest([run("a", 0, outputs=["x"])])
    (a,) = client.history("a")
    with pytest.raises(RunsRefusedError) as refused:
        client.ingest([run("b", 10, upstream=[a.id]), run("c", 20, upstream=[a.id, 9999])])
    assert refused.value.reasons == {1: "upstream run 9999 not found"}
    assert [r.component_name for r in client.recent()] == ["a"]  # nothing of the batch was stored


def test_timestamps_are_utc_aware_with_microseconds(client: Client) -> None:
    record = run("a", 0.123456, outputs=["x"])
    client.ingest([record])
    (stored,) = client.history("a")
    assert stored.start_timestamp == record.start_timestamp
    assert stored.start_timestamp.utcoffset() == timedelta(0)
    assert stored.start_timestamp.microsecond == 123456


def test_awkward_text_round_trips_through_bulk_loading(client: Client) -> None:
    awkward = "tab\there\nnew line \\N back\\slash ü 数据 \r end"
    record = run(
        "c\\omp",
        0,
        inputs=[(f"in/{awkward}", "h\t1")],
        outputs=[awkward],
        notes=awkward,
        params={"text": awkward, "nested": [awkward, {"k": None}]},
        error=None,
        code_snapshot=f"def f():\n\treturn '{awkward}'",
        git_tags=["v1\t2"],
    )
    client.ingest([record])
    stored = client.get_run(client.history("c\\omp")[0].id)
    assert stored.notes == awkward
    assert stored.params == {"text": awkward, "nested": [awkward, {"k": None}]}
    assert stored.code_snapshot == record.code_snapshot
    assert stored.git_tags == ["v1\t2"]
    assert [p.name for p in stored.outputs] == [awkward]
    assert [(p.name, p.value_hash) for p in stored.inputs] == [(f"in/{awkward}", "h\t1")]


def test_the_threshold_is_exact_to_the_microsecond(client: Client) -> None:
    # on PostgreSQL the database returns only the dependencies that may be too old: none may be lost
    readers = {"on_time": 3600, "just_late": 3600.000001, "nearly": 3599.5, "late": 7200}
    client.ingest(
        [run("ingest", 0, outputs=["raw.csv"])]
        + [run(name, start, inputs=["raw.csv"], staleness_threshold_s=3600) for name, start in readers.items()]
    )
    stale = {name: bool(client.history(name)[0].stale) for name in readers}
    assert stale == {"on_time": False, "just_late": True, "nearly": False, "late": True}
