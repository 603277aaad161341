"""Review puts the planted bad run first, even when shared runs (training) feed every output."""

from __future__ import annotations

import sqlite3

import networkx as nx
import pytest
from sqlalchemy import event

from mltrace.client import Client
from mltrace.lineage.review import ochiai
from tests.factories import run


def pipeline(bad_batch: int, batches: int = 6, per_batch: int = 5):
    """ingest_b → clean_b → predict_b (reads model from one shared train run) → per_batch predictions each."""
    records = [run("train", 0, inputs=["history.csv"], outputs=["model.pkl"])]
    for b in range(batches):
        t = 100 + b * 100
        records += [
            run("ingest", t, inputs=[f"raw/{b}"], outputs=[f"batch/{b}"]),
            run("clean", t + 10, inputs=[f"batch/{b}"], outputs=[f"clean/{b}"]),
            run(
                "predict",
                t + 20,
                inputs=[f"clean/{b}", "model.pkl"],
                outputs=[f"pred/{b}/{k}" for k in range(per_batch)],
            ),
        ]
    return records


def test_culprit_at_the_source_ranks_first_and_the_shared_training_run_does_not_tie(client: Client) -> None:
    records = pipeline(bad_batch=2)
    ids = dict(zip([r.key for r in records], client.ingest(records), strict=True))
    predictions = {f"pred/{b}/{k}" for b in range(6) for k in range(5)}
    # the bad ingest of batch 2 is read again by a later predict run (a backfill):
    # only that ingest covers every flagged output
    backfill = run("predict", 900, inputs=["batch/2", "model.pkl"], outputs=["pred/backfill/0", "pred/backfill/1"])
    client.ingest([backfill])
    flagged = [f"pred/2/{k}" for k in range(5)] + ["pred/backfill/0", "pred/backfill/1"]
    for name in flagged:
        client.flag(name, "bad label")
    result = client.review()
    assert set(result["flagged"]) == set(flagged)
    top, count, coverage, score, evidence = result["runs"][0]
    bad_ingest = ids[records[1 + 2 * 3].key]
    assert (top.id, top.component_name) == (bad_ingest, "ingest")
    assert (count, coverage, score, evidence) == (7, 1.0, pytest.approx(1.0), [])
    train = next(entry for entry in result["runs"] if entry[0].component_name == "train")
    assert train[2] == 1.0 and train[3] < score  # covers every flagged output, but also every good one
    assert len(predictions) == 30


def test_culprit_in_the_middle_ranks_first(client: Client) -> None:
    records = pipeline(bad_batch=0)
    client.ingest(records)
    # a bad clean run of batch 4 whose output two predict runs read
    bad_clean = run("clean", 1000, inputs=["batch/4"], outputs=["clean/4b"])
    (bad_clean_id,) = client.ingest([bad_clean])
    client.ingest(
        [
            run("predict", 1010, inputs=["clean/4b", "model.pkl"], outputs=["pm/0", "pm/1"]),
            run("predict", 1020, inputs=["clean/4b", "model.pkl"], outputs=["pm/2", "pm/3"]),
        ]
    )
    for name in ["pm/0", "pm/1", "pm/2", "pm/3"]:
        client.flag(name)
    top = client.review()["runs"][0]
    assert top[0].id == bad_clean_id and top[1] == 4


def test_ties_go_to_the_most_recent_run(client: Client) -> None:
    client.ingest([run("a", 0, outputs=["x"]), run("b", 10, inputs=["x"], outputs=["y"])])
    client.flag("y")
    ranked = [r.component_name for r, *_ in client.review()["runs"]]
    assert ranked == ["b", "a"]


def test_review_with_nothing_flagged_is_empty(client: Client) -> None:
    client.ingest([run("a", 0, outputs=["x"])])
    assert client.review() == {"flagged": [], "runs": []}


def test_ochiai_formula() -> None:
    assert ochiai(4, 0, 4) == 1.0
    assert ochiai(2, 2, 4) == pytest.approx(2 / (4 * 4) ** 0.5)
    assert ochiai(0, 5, 4) == 0.0


def test_review_binds_its_suspects_as_one_value_whatever_sqlite_allows(client: Client) -> None:
    """1,200 sources feed one flagged output: more suspects than the 999 variables a statement of SQLite before
    3.32 may bind (32,766 since; builds may set their own limit), which an expanding IN needs one each of."""
    if client.dialect == "sqlite":

        @event.listens_for(client.store.engine, "connect")
        def _oldest_limit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    sources = [run("source", i / 1000, outputs=[f"src/{i}"]) for i in range(1200)]
    merge = run("merge", 100, inputs=[f"src/{i}" for i in range(1200)], outputs=["merged"])
    *source_ids, merge_id = client.ingest([*sources, merge])
    client.flag("merged", "wrong")
    result = client.review(limit=3)
    assert result["flagged"] == ["merged"]
    # every run covers the one flagged output and no good one: the latest start breaks the tie
    assert [(r.id, count, coverage, score) for r, count, coverage, score, _ in result["runs"]] == [
        (merge_id, 1, 1.0, 1.0),
        (source_ids[-1], 1, 1.0, 1.0),
        (source_ids[-2], 1, 1.0, 1.0),
    ]


# --- evidence the runs recorded -------------------------------------------------------------------------------

PASSED = [{"test": "RawBatch", "name": "test_units", "phase": "after", "passed": True, "error": None}]
FAILED = [{"test": "RawBatch", "name": "test_units", "phase": "after", "passed": False, "error": "AssertionError: °F"}]


def recorded_pipeline(odd: str | None = None, odd_batch: int = 2, batches: int = 8, per_batch: int = 4):
    """`pipeline`, whose ingest runs record a unit, a row count and a test; with `odd`, the ingest of `odd_batch`
    has a failed test (`failed_test`), a row count far from the others' (`outlier_metric`) or another unit
    (`rare_param`)."""
    records = pipeline(bad_batch=odd_batch, batches=batches, per_batch=per_batch)
    for b in range(batches):
        ingest = records[1 + 3 * b]
        ingest.params, ingest.metrics = {"unit": "C"}, {"rows": 100 + (b * 7) % 5}
        ingest.test_results = list(PASSED)
        records[3 + 3 * b].metrics = {"predictions": per_batch}
    odd_ingest = records[1 + 3 * odd_batch]
    if odd == "failed_test":
        odd_ingest.test_results = list(FAILED)
    elif odd == "outlier_metric":
        odd_ingest.metrics = {"rows": 410}
    elif odd == "rare_param":
        odd_ingest.params = {"unit": "F"}
    return records


def plain_ochiai_order(records, ids: list[int], flagged: set[str]) -> list[int]:
    """The oracle: Ochiai over the lineage graph (networkx), ties to the later start then the higher id."""
    graph = nx.DiGraph()
    writers = {p.name: run_id for r, run_id in zip(records, ids, strict=True) for p in r.outputs}
    for r, run_id in zip(records, ids, strict=True):
        graph.add_node(run_id, start=r.start_timestamp, outputs={p.name for p in r.outputs}, component=r.component_name)
        graph.add_edges_from((writers[p.name], run_id) for p in r.inputs if p.name in writers)
    culprits = {graph.nodes[writers[name]]["component"] for name in flagged}
    good = {
        name
        for node, facts in graph.nodes(data=True)
        if facts["component"] in culprits
        for name in facts["outputs"] - flagged
    }
    scores = {}
    for node in graph.nodes:
        reached = nx.descendants(graph, node) | {node}
        outputs = set().union(*(graph.nodes[n]["outputs"] for n in reached))
        if outputs & flagged:
            scores[node] = ochiai(len(outputs & flagged), len(outputs & good), len(flagged))
    return sorted(scores, key=lambda n: (-round(scores[n], 12), -graph.nodes[n]["start"].timestamp(), -n))


@pytest.mark.parametrize("odd", ["failed_test", "outlier_metric", "rare_param"])
def test_with_one_flag_the_run_with_evidence_ranks_above_the_runs_that_merely_share_the_path(
    client: Client, odd: str
) -> None:
    records = recorded_pipeline(odd)
    ids = client.ingest(records)
    client.flag("pred/2/1", "wrong")
    ranked = client.review(5)["runs"]
    odd_ingest, clean, predict = ids[1 + 3 * 2], ids[2 + 3 * 2], ids[3 + 3 * 2]
    assert [entry[0].id for entry in ranked[:3]] == [odd_ingest, predict, clean]
    _run, count, coverage, score, evidence = ranked[0]
    key = {"failed_test": "RawBatch.test_units", "outlier_metric": "rows", "rare_param": "unit"}[odd]
    assert [(e.kind, e.key) for e in evidence] == [(odd, key)]
    assert evidence[0].message.startswith(
        {
            "failed_test": "test RawBatch.test_units failed: AssertionError: °F",
            "outlier_metric": "metric rows = 410, usually 102 (robust z-score +",  # the median of the 7 others
            "rare_param": "param unit = 'F', where 7 of 7 recent runs had 'C'",
        }[odd]
    )
    assert (count, coverage) == (1, 1.0)
    # alone on its path it would tie with clean and predict (one flagged of 4 outputs); its evidence doubles it
    assert score == pytest.approx(2 * ochiai(1, 3, 1)) and ranked[1][3] == pytest.approx(ochiai(1, 3, 1))
    assert all(entry[4] == [] for entry in ranked[1:])


def test_without_evidence_the_ranking_is_plain_ochiai(client: Client) -> None:
    records = recorded_pipeline()
    ids = client.ingest(records)
    flagged = {"pred/2/1", "pred/2/3", "pred/5/0"}
    for name in flagged:
        client.flag(name)
    ranked = client.review(100)["runs"]
    assert [entry[0].id for entry in ranked] == plain_ochiai_order(records, ids, flagged)
    assert all(evidence == [] for *_, evidence in ranked)
