"""`track`/`pull`/`status` keep files by hash beside git, and `artifacts get|ls|gc` reach the store's bytes; gc keeps
every blob a run or a given .mltrace file references."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import mltrace
from mltrace.artifacts.location import open_blob_store
from tests.cli.conftest import Invoke, one_line_error, runner_for


@pytest.fixture
def workspace(mltrace_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder as the current directory, with the artifact store in MLTRACE_HOME."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_track_writes_a_pointer_file_and_pull_and_status_follow_it(workspace: Path, mltrace_cli: Invoke) -> None:
    data = workspace / "data" / "train.csv"
    data.parent.mkdir()
    data.write_text("a,b\n1,2\n")
    tracked = mltrace_cli("track", "data/train.csv", db=False)
    assert tracked.exit_code == 0, tracked.output
    pointer = json.loads((workspace / "data" / "train.csv.mltrace").read_text())
    assert pointer["file"] == "train.csv" and pointer["size"] == 8 and len(pointer["sha256"]) == 64
    assert "stored" in tracked.stdout and "train.csv.mltrace" in tracked.stdout

    assert mltrace_cli("status", db=False).stdout == "1 tracked file, none changed.\n"
    data.write_text("a,b\n9,9\n")  # same size, other bytes
    assert mltrace_cli("status", db=False).stdout == "modified: data/train.csv\n"
    listed = json.loads(mltrace_cli("status", "--json", db=False).stdout)
    assert listed["files"][0]["state"] == "modified"

    pulled = mltrace_cli("pull", db=False)
    assert pulled.exit_code == 0 and pulled.stdout == "data/train.csv: restored\n"
    assert data.read_text() == "a,b\n1,2\n"
    data.unlink()
    assert mltrace_cli("status", "data/train.csv.mltrace", db=False).stdout == "missing: data/train.csv\n"
    assert mltrace_cli("pull", "data/train.csv.mltrace", db=False).stdout == "data/train.csv: restored\n"
    assert mltrace_cli("pull", db=False).stdout == "data/train.csv: up to date\n"


def test_track_and_pull_explain_bad_input_in_one_line(workspace: Path, mltrace_cli: Invoke) -> None:
    missing = mltrace_cli("track", "nope.csv", db=False)
    assert missing.exit_code == 2 and "nope.csv is not a file" in one_line_error(missing)
    (workspace / "x.mltrace").write_text("not json")
    bad = mltrace_cli("pull", "x.mltrace", db=False)
    assert bad.exit_code == 2 and "is not a .mltrace file mltrace can read" in one_line_error(bad)
    (workspace / "x.mltrace").unlink()
    none = mltrace_cli("status", db=False)
    assert none.exit_code == 2 and "no .mltrace files" in one_line_error(none)


def test_pull_of_a_blob_gone_from_the_store_names_it_and_fails(workspace: Path, mltrace_cli: Invoke) -> None:
    (workspace / "a.bin").write_bytes(b"abc")
    mltrace_cli("track", "a.bin", db=False)
    store = open_blob_store(str(Path(os.environ["MLTRACE_HOME"]) / "artifacts"))
    for blob in list(store.blobs()):
        store.delete(blob.digest)
    (workspace / "a.bin").unlink()
    failed = mltrace_cli("pull", db=False)
    assert failed.exit_code == 1
    assert "a.bin" in failed.stderr and "is not in the artifact store" in failed.stderr


def test_artifacts_ls_and_get_by_name_and_hash(logging_to: str, workspace: Path) -> None:
    @mltrace.register("fit")
    def fit() -> str:
        return mltrace.save({"w": [1, 2, 3]}, "models/model.pkl")

    digest = fit()
    assert mltrace.flush(10)
    run_id = mltrace.get_history("fit")[0].id
    cli = runner_for(logging_to)
    listed = cli("artifacts", "ls")
    assert listed.exit_code == 0
    assert "models/model.pkl" in listed.stdout and digest[:12] in listed.stdout and f" {run_id} " in listed.stdout
    as_json = json.loads(cli("artifacts", "ls", "--run", str(run_id), "--json").stdout)
    assert [(a["name"], a["hash"], a["run_id"]) for a in as_json["artifacts"]] == [("models/model.pkl", digest, run_id)]
    assert "No artifacts stored by run 999" in cli("artifacts", "ls", "--run", "999").stdout

    by_name = cli("artifacts", "get", "models/model.pkl", "-o", "out/model.pkl")
    assert by_name.exit_code == 0, by_name.output
    assert mltrace.load(digest) == {"w": [1, 2, 3]}
    by_hash = cli("artifacts", "get", digest, "-o", "copy.pkl")
    assert by_hash.exit_code == 0
    assert (workspace / "copy.pkl").read_bytes() == (workspace / "out" / "model.pkl").read_bytes()
    unknown = cli("artifacts", "get", "models/other.pkl", "-o", "x")
    assert unknown.exit_code == 1 and "No artifact stored under the name 'models/other.pkl'" in one_line_error(unknown)


def test_gc_deletes_only_blobs_nothing_references(logging_to: str, workspace: Path) -> None:
    @mltrace.register("fit")
    def fit(weights: list) -> str:
        return mltrace.save(weights, "models/model.pkl")

    @mltrace.register("predict", output_vars=["ids"], endpoint=True)
    def predict(model: str) -> list:
        mltrace.load(model)
        ids = ["prediction-1"]
        return ids

    kept_by_run = fit([1])
    predict("models/model.pkl")
    assert mltrace.flush(10)
    mltrace.flag_output_id("prediction-1", "bad")  # its trace's artifacts are kept (they are a run's)
    store = mltrace.client.default_client().artifact_store
    orphan = store.put_bytes(b"no run references me").digest
    young = store.put_bytes(b"saved a moment ago").digest
    (workspace / "big.csv").write_bytes(b"tracked by a pointer file")
    cli = runner_for(logging_to)
    cli("track", "big.csv", db=False)
    tracked = json.loads((workspace / "big.csv.mltrace").read_text())["sha256"]
    old = time.time() - 3 * 86400
    for digest in (kept_by_run, orphan, tracked):
        os.utime(store.local_path(digest), (old, old))

    dry = cli("artifacts", "gc", "--dry-run", "big.csv.mltrace")
    assert dry.exit_code == 0, dry.output
    assert f"would delete {orphan}" in dry.stdout and "Would delete 1 blob" in dry.stdout
    assert {b.digest for b in store.blobs()} == {kept_by_run, orphan, young, tracked}

    done = cli("artifacts", "gc", "big.csv.mltrace")
    assert done.exit_code == 0 and f"deleted {orphan}" in done.stdout
    assert {b.digest for b in store.blobs()} == {kept_by_run, young, tracked}
    assert "kept 2 referenced and 1 younger than 24 h" in done.stdout

    without_pointer = cli("artifacts", "gc", "--grace-hours", "0")
    assert {b.digest for b in store.blobs()} == {kept_by_run}
    assert without_pointer.exit_code == 0
    server = cli("artifacts", "gc", "--server", "http://127.0.0.1:9", db=False)
    assert server.exit_code == 2 and "works on a database" in one_line_error(server)


def test_a_cached_run_names_the_run_it_reused_in_text_and_json(shown_demo, show: Invoke) -> None:
    from mltrace.client import Client
    from mltrace.server import schemas

    client = Client(shown_demo.db_uri)
    cached = shown_demo.cached_run_ids[-1]
    reused = client.reused_runs([cached])[cached]
    assert reused is not None and client.get_run(reused).status == "success"
    card = show("inspect", str(cached))
    assert "cached" in card.stdout and f"the stored result of run {reused}" in card.stdout
    assert json.loads(show("inspect", str(cached), "--json").stdout)["reused_run_id"] == reused
    graph = client.trace("models/model.pkl")
    node = next(n for n in graph["nodes"] if n.get("run_id") == cached)
    assert node["status"] == "cached" and node["reused_run_id"] == reused
    assert json.loads(show("trace", "models/model.pkl", "--json").stdout) == schemas.TraceSchema().dump(graph)
    listed = json.loads(show("artifacts", "ls", "--run", str(cached), "--json").stdout)["artifacts"]
    assert [a["name"] for a in listed] == ["models/model.pkl"]
