"""`save`, `load` and `log_artifact` keep bytes in the artifact store and record them in the lineage, so a trace's
value hash leads to bytes that can be fetched (SQLite and PostgreSQL; a local folder and an in-memory store)."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pytest

import mltrace
from mltrace.artifacts.blobs import BlobStore
from mltrace.errors import ArtifactMissingError, CorruptArtifactError
from tests.artifacts.conftest import overwrite_blob


def runs_of(component: str):
    assert mltrace.flush(10)
    return mltrace.get_history(component)


def test_save_and_load_record_the_bytes_as_an_output_and_an_input(pipeline_store: BlobStore) -> None:
    @mltrace.register("fit")
    def fit() -> str:
        return mltrace.save({"w": [1, 2]}, "models/model.pkl")

    @mltrace.register("serve")
    def serve() -> dict:
        return mltrace.load("models/model.pkl")

    digest = fit()
    assert serve() == {"w": [1, 2]}  # before the fit run reached the database
    assert digest == hashlib.sha256(pickle.dumps({"w": [1, 2]}, protocol=5)).hexdigest()
    (fit_run,), (serve_run,) = runs_of("fit"), runs_of("serve")
    assert [(p.name, p.value_hash) for p in fit_run.outputs] == [("models/model.pkl", digest)]
    assert [(p.name, p.value_hash) for p in serve_run.inputs] == [("models/model.pkl", digest)]
    assert serve_run.dependencies == [fit_run.id]
    (listed,) = mltrace.client.default_client().artifacts(run_id=fit_run.id)
    assert (listed.name, listed.digest, listed.serializer, listed.component) == (
        "models/model.pkl",
        digest,
        "pickle",
        "fit",
    )
    assert listed.size == pipeline_store.size(digest)


def test_load_takes_the_latest_version_by_name_or_exactly_one_by_hash(pipeline_store: BlobStore) -> None:
    @mltrace.register("fit")
    def fit(weights: list) -> str:
        return mltrace.save(weights, "model")

    old, new = fit([1]), fit([2])
    assert mltrace.flush(10)
    assert mltrace.load("model") == [2]
    assert mltrace.load(old) == [1] and mltrace.load(new) == [2]
    from mltrace.tracking import artifacts

    artifacts._saved.clear()  # another process: only what the database knows
    assert mltrace.load("model") == [2]


def test_saving_the_same_object_twice_stores_one_blob(pipeline_store: BlobStore) -> None:
    first = mltrace.save(list(range(10_000)), "a")
    second = mltrace.save(list(range(10_000)), "b")
    assert first == second
    assert [b.digest for b in pipeline_store.blobs()] == [first]


@pytest.mark.parametrize(
    ("value", "serializer", "expected_bytes"),
    [
        (b"\x00raw", "bytes", b"\x00raw"),
        ({"b": 1, "a": [1.5]}, "json", b'{"a":[1.5],"b":1}'),
        ({"w": 3}, "joblib", None),
    ],
)
def test_each_serializer_round_trips(pipeline_store: BlobStore, value, serializer, expected_bytes) -> None:
    digest = mltrace.save(value, f"thing.{serializer}", serializer=serializer)
    if expected_bytes is not None:
        assert pipeline_store.read_bytes(digest) == expected_bytes
    assert mltrace.load(f"thing.{serializer}") == value
    assert mltrace.load(digest) == value


def test_log_artifact_stores_a_file_as_an_output(pipeline_store: BlobStore, tmp_path: Path) -> None:
    data = tmp_path / "features.csv"
    data.write_text("a,b\n1,2\n")

    @mltrace.register("featurize")
    def featurize() -> str:
        return mltrace.log_artifact(data)

    digest = featurize()
    (run,) = runs_of("featurize")
    assert [(p.name, p.value_hash) for p in run.outputs] == [(str(data), digest)]
    assert pipeline_store.read_bytes(digest) == b"a,b\n1,2\n"
    assert mltrace.load(str(data), serializer="bytes") == b"a,b\n1,2\n"


def test_the_original_load_reads_a_file_the_store_does_not_know(pipeline_store: BlobStore, tmp_path: Path) -> None:
    path = tmp_path / "old-model.pkl"
    path.write_bytes(pickle.dumps({"legacy": True}))

    @mltrace.register("serve")
    def serve() -> dict:
        return mltrace.load(str(path))

    assert serve() == {"legacy": True}
    (run,) = runs_of("serve")
    assert [(p.name, p.value_hash) for p in run.inputs] == [(str(path), hashlib.sha256(path.read_bytes()).hexdigest())]
    with pytest.raises(ArtifactMissingError, match="no artifact named 'nowhere.pkl'"):
        mltrace.load("nowhere.pkl")


def test_a_corrupt_artifact_is_not_loaded(pipeline_store: BlobStore) -> None:
    digest = mltrace.save({"w": 1}, "models/m.pkl")
    overwrite_blob(pipeline_store, digest, pickle.dumps({"w": 666}))
    with pytest.raises(CorruptArtifactError, match="'models/m.pkl'"):
        mltrace.load("models/m.pkl")
