"""`set_address`: the decorators log through the server and every query is answered by it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import mltrace
from mltrace import client as client_module
from mltrace.backends import remote as remote_module
from mltrace.delivery.http_sink import HttpSink
from mltrace.entities import IOPointer, PointerType
from mltrace.entities.component_run import PREVIEW_SIZE
from mltrace.errors import InvalidInputError, MltraceError, NotFoundError
from tests.factories import at, run
from tests.server.test_serve import server  # noqa: F401  (the live gunicorn server fixture)


@pytest.fixture
def through(server: str, mltrace_home: Path):  # noqa: F811
    client_module._overrides.clear()
    mltrace.set_address(server)
    yield server
    client_module._overrides.clear()
    client_module._reset_default()


def test_logging_and_queries_go_through_the_server(through: str) -> None:
    @mltrace.register("remote_clean", inputs=["remote/raw.csv"], outputs=["remote/clean.csv"])
    def clean() -> int:
        return 1

    @mltrace.register("remote_predict", inputs=["remote/clean.csv"], output_vars=["ids"], endpoint=True)
    def predict() -> list[str]:
        ids = ["remote/pred#1", "remote/pred 2"]
        return ids

    clean()
    predict()
    assert mltrace.flush(30) is True
    (run,) = mltrace.get_history("remote_predict")
    (producer,) = mltrace.get_history("remote_clean")
    assert run.dependencies == [producer.id]
    assert {p.name for p in run.outputs} == {"remote/pred#1", "remote/pred 2"}
    assert run.id in mltrace.get_recent_run_ids(50)
    assert mltrace.get_component_run_information(run.id).code_snapshot.startswith("    @mltrace.register")
    graph = mltrace.trace("remote/pred#1")
    assert {n.get("component") for n in graph["nodes"] if n["kind"] == "run"} == {"remote_clean", "remote_predict"}
    assert [level for level, _ in mltrace.backtrace("remote/pred#1")] == [0, 1]

    mltrace.flag_output_id("remote/pred#1", reason="wrong")
    flagged, ranked = mltrace.review_flagged_outputs()
    assert "remote/pred#1" in flagged
    assert ranked[0][0].component_name == "remote_predict"
    assert mltrace.get_io_pointer("remote/pred#1", create=False).flag is True
    assert mltrace.unflag_all() >= 1
    assert mltrace.add_notes_to_component_run(run.id, "checked") == "checked"


def test_errors_through_the_server_are_the_clients_own(through: str) -> None:
    with pytest.raises(NotFoundError):
        mltrace.get_component_run_information(987654)
    with pytest.raises(NotFoundError):
        mltrace.flag_output_id("remote/never-logged")
    with pytest.raises(InvalidInputError):
        mltrace.trace("remote/clean.csv", depth=0)
    with pytest.raises(MltraceError, match="not available through a server"):
        mltrace.create_component("x", "y", "z")


def test_lists_through_the_server_are_previews_and_the_original_api_makes_them_whole(through: str) -> None:
    run = mltrace.ComponentRun("remote_batch")
    run.set_start_timestamp()
    run.set_end_timestamp()
    run.add_outputs([f"remote/batch/{k:02d}" for k in range(30)])
    mltrace.log_component_run(run)
    assert mltrace.flush(30) is True
    client = client_module.default_client()
    (listed,) = client.history("remote_batch")
    assert (len(listed.outputs), listed.outputs_count, listed.is_preview) == (PREVIEW_SIZE, 30, True)
    assert client.recent(1)[0].outputs == listed.outputs
    (whole,) = mltrace.get_history("remote_batch")
    assert [p.name for p in whole.outputs] == [f"remote/batch/{k:02d}" for k in range(30)]
    assert not whole.is_preview and whole.outputs_count == 30


def test_backtrace_through_the_server_fetches_runs_a_page_at_a_time(through: str, monkeypatch) -> None:
    for i in range(450):
        run = mltrace.ComponentRun("remote_chain")
        run.set_start_timestamp()
        run.set_end_timestamp()
        if i:
            run.add_inputs([f"remote/chain/{i}"])
        run.add_outputs([f"remote/chain/{i + 1}"])
        mltrace.log_component_run(run)
    assert mltrace.flush(60) is True
    calls: list[str] = []
    real = remote_module.request_json
    monkeypatch.setattr(
        remote_module,
        "request_json",
        lambda base, method, path, *rest: calls.append(path) or real(base, method, path, *rest),
    )
    levels = mltrace.backtrace("remote/chain/450")
    assert [level for level, _ in levels] == list(range(450))
    assert [[p.name for p in run.outputs] for _, run in levels[:2]] == [["remote/chain/450"], ["remote/chain/449"]]
    assert len(calls) == 1 + math.ceil(450 / remote_module.IDS_PER_REQUEST)  # the trace, then the runs a page at a time


def test_diff_goes_through_the_server_and_shows_the_code_change(through: str) -> None:
    @mltrace.register("remote_diff_clean", inputs=["remote/diff/raw.csv"], output_vars=["out"])
    def clean_before() -> str:
        out = "remote/diff/a"
        return out

    @mltrace.register("remote_diff_clean", inputs=["remote/diff/raw.csv"], output_vars=["out"])
    def clean_after() -> str:
        out = "remote/diff/b"  # the planted change
        return out

    clean_before()
    clean_after()
    assert mltrace.flush(30) is True
    result = mltrace.diff("remote/diff/a", "remote/diff/b")
    top = result.differences[0]
    assert (top.kind, top.component) == ("code", "remote_diff_clean")
    assert '-        out = "remote/diff/a"\n' in top.code_diff
    assert '+        out = "remote/diff/b"  # the planted change\n' in top.code_diff
    with pytest.raises(NotFoundError):
        mltrace.diff("remote/diff/a", "remote/diff/nothing")


def test_impact_through_the_server_answers_as_the_database_would(through: str) -> None:
    records = [
        run("impact_train", 0, inputs=["impact/raw.csv"], outputs=["impact/model.pkl"]),
        run("impact_predict", 10, inputs=["impact/model.pkl"], outputs=[IOPointer("impact/p1", PointerType.ENDPOINT)]),
        run("impact_predict", 20, inputs=["impact/model.pkl"], outputs=["impact/p2"]),
    ]
    HttpSink(through).ingest(records)
    found = mltrace.impact("impact/raw.csv", limit=1)
    assert found.components == {"impact_predict": 2, "impact_train": 1}
    assert (found.endpoints, found.flagged, [o.name for o in found.outputs]) == (2, 0, ["impact/p2"])
    assert found.outputs[0].time == at(20)
    (train,) = mltrace.get_history("impact_train")
    assert mltrace.impact(f"run:{train.id}", since=at(15)).components == {"impact_predict": 1}
    assert mltrace.flag_impact("impact/raw.csv", reason="bad") == 2
    assert mltrace.flag_impact("impact/raw.csv", reason="bad") == 0
    assert mltrace.impact("impact/raw.csv").flagged == 2
    with pytest.raises(NotFoundError):
        mltrace.impact("impact/nowhere")
    with pytest.raises(InvalidInputError):
        mltrace.impact("run:x")


def test_suspect_marks_through_the_server_are_those_of_its_database(through: str) -> None:
    client = client_module.default_client()
    failed = [{"test": "Rows", "name": "test_has_rows", "phase": "after", "passed": False, "error": "empty"}]
    client.ingest(
        [
            run("suspect_ingest", 500, outputs=[("suspect/batch.csv", "b1")], test_results=failed),
            run("suspect_clean", 510, inputs=[("suspect/batch.csv", "b1")], outputs=[("suspect/clean.csv", "c1")]),
        ]
    )
    (ingest,) = client.history("suspect_ingest")
    (clean,) = client.history("suspect_clean")
    mark = f"run:{ingest.id}"
    found = client.suspicions([ingest.id, clean.id])
    assert [m.source for m in found[clean.id].run] == [mark] and found[ingest.id].run == ()
    assert [m.source for m in found[ingest.id].outputs] == [mark]  # its own failed test marks what it wrote
    nodes = {n["id"]: n["suspect"] for n in client.trace("suspect/clean.csv")["nodes"]}
    assert (
        [m["source"] for m in nodes["pointer:suspect/batch.csv"]]
        == [mark]
        == [m["source"] for m in nodes[f"run:{clean.id}"]]
    )


def test_compare_through_the_server_answers_as_the_database_would(through: str) -> None:
    records = [run("compare_train", i, params={"lr": lr}, metrics={"auc": float("nan")}) for i, lr in enumerate([1, 2])]
    HttpSink(through).ingest(records)
    ids = [r.id for r in mltrace.get_history("compare_train")]
    found = mltrace.compare(ids)
    assert [r.id for r in found.runs] == ids and found.runs[0].component_name == "compare_train"
    lr = next(row for row in found.rows if row.key == "lr")
    assert lr.differs and lr.values == [2, 1]
    assert found.series == []
    with pytest.raises(NotFoundError):
        mltrace.compare([ids[0], 999_999])
    with pytest.raises(InvalidInputError):
        mltrace.compare([ids[0]])
