"""Review puts the planted bad run first, even when shared runs (training) feed every output."""

from __future__ import annotations

import sqlite3

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
