"""`GET /artifacts`, `GET /artifacts/{hash}` and `GET /cache`: stored outputs listed, their bytes streamed with their
length (and ranges), errors in the error shape; and a pipeline logging through a server saves, loads and reuses."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import mltrace
from mltrace import client as client_module
from mltrace.artifacts.digests import CHUNK
from mltrace.artifacts.location import open_blob_store
from mltrace.errors import CorruptArtifactError
from mltrace.tracking import artifacts as artifacts_module
from mltrace.tracking import caching
from tests.artifacts.conftest import overwrite_blob
from tests.factories import run
from tests.ports import free_port
from tests.server.test_serve import call

DATA = random.Random(7).randbytes(300_000)  # the same in every test worker (a parameter names its hash)
DIGEST = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def stored(store, mltrace_home: Path) -> int:
    """A run that stored DATA as `models/model.pkl` (the app's artifact store: MLTRACE_HOME/artifacts)."""
    from mltrace.entities.artifact import ArtifactRef
    from mltrace.entities.io_pointer import IOPointer

    store.artifact_store.put_bytes(DATA)
    record = run("fit", 0, outputs=[IOPointer("models/model.pkl", value_hash=DIGEST)])
    record.artifacts = [ArtifactRef("models/model.pkl", DIGEST, len(DATA), "pickle")]
    (run_id,) = store.ingest([record])
    return run_id


def test_artifacts_of_a_run_are_listed_with_name_hash_and_size(api, stored: int) -> None:
    body = api.get(f"/api/v1/artifacts?run={stored}").get_json()
    assert body == {
        "artifacts": [
            {
                "name": "models/model.pkl",
                "hash": DIGEST,
                "size": len(DATA),
                "serializer": "pickle",
                "run_id": stored,
                "component": "fit",
                "stored_at": "2026-01-01T00:00:01.000000+00:00",
            }
        ]
    }
    assert api.get("/api/v1/artifacts?name=models/model.pkl").get_json() == body
    assert api.get(f"/api/v1/artifacts?hash={DIGEST}").get_json() == body
    assert api.get("/api/v1/artifacts?run=999").get_json() == {"artifacts": []}


def test_the_bytes_stream_with_their_length_type_and_name(api, stored: int) -> None:
    response = api.get(f"/api/v1/artifacts/{DIGEST}?name=models/model.pkl")
    assert response.status_code == 200
    assert response.data == DATA
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == "attachment; filename=model.pkl"
    assert response.headers["ETag"] == f'"{DIGEST}"'
    with api.get(f"/api/v1/artifacts/{DIGEST}", headers={"Range": "bytes=100-199"}) as part:  # closes the file
        assert part.status_code == 206 and part.data == DATA[100:200]
        assert part.headers["Content-Range"] == f"bytes 100-199/{len(DATA)}"
    with api.get(f"/api/v1/artifacts/{DIGEST}", headers={"Range": f"bytes={len(DATA) + 10}-"}) as outside:
        assert outside.status_code == 416 and outside.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/artifacts/not-a-hash", 400, "bad_request"),
        (f"/api/v1/artifacts/{'0' * 64}", 404, "not_found"),
        (f"/api/v1/artifacts/{'A' * 64}", 400, "bad_request"),
        ("/api/v1/artifacts?run=abc", 400, "validation_error"),
        ("/api/v1/artifacts?run=0", 400, "validation_error"),
        ("/api/v1/artifacts?hash=xyz", 400, "validation_error"),
        ("/api/v1/artifacts?limit=501", 400, "validation_error"),
        ("/api/v1/cache", 400, "validation_error"),
        ("/api/v1/cache?component=x", 400, "validation_error"),
        ("/api/v1/cache/latest", 400, "validation_error"),
        ("/api/v1/cache/latest?component=", 400, "validation_error"),
        ("/api/v1/cache?key=short", 400, "validation_error"),
    ],
)
def test_bad_requests_are_answered_in_the_error_shape(api, path: str, status: int, code: str) -> None:
    response = api.get(path)
    assert response.status_code == status and response.is_json
    assert response.get_json()["error"]["code"] == code


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("a\r\nSet-Cookie: x=1/evil.pkl", "attachment; filename=evil.pkl"),
        ("modèles/modèle.pkl", "attachment; filename=modele.pkl; filename*=UTF-8''mod%C3%A8le.pkl"),
        ("/", f"attachment; filename={DIGEST}"),
    ],
)
def test_a_suggested_file_name_never_breaks_the_headers(api, stored: int, name: str, disposition: str) -> None:
    response = api.get(f"/api/v1/artifacts/{DIGEST}", query_string={"name": name})
    assert response.status_code == 200 and response.data == DATA
    assert response.headers["Content-Disposition"] == disposition
    assert "Set-Cookie" not in response.headers


def test_a_run_with_status_cached_is_stored_through_the_api(api, store) -> None:
    from mltrace.entities.artifact import CacheEntry
    from mltrace.entities.run_wire import to_wire

    original = run("square", 0, outputs=["out"], cache=CacheEntry("ef" * 32, {"code": "c"}, DIGEST, "pickle"))
    cached = run(
        "square", 5, outputs=["out"], status="cached", cache=CacheEntry("ef" * 32, {}, DIGEST, "pickle", original.key)
    )
    response = api.post("/api/v1/runs", json={"runs": [to_wire(original), to_wire(cached)]})
    assert response.status_code == 200, response.get_json()
    assert [r.status for r in store.recent(5)] == ["cached", "success"]
    unnamed = run("square", 9, status="cached")
    refused = api.post("/api/v1/runs", json={"runs": [to_wire(unnamed)]})
    assert refused.status_code == 400
    assert "must name the run it reused" in str(refused.get_json()["error"]["details"])


def test_a_corrupt_artifact_never_arrives_complete(api, stored: int, store) -> None:
    overwrite_blob(store.artifact_store, DIGEST, DATA[:-1] + b"\x00")
    small = api.get(f"/api/v1/artifacts/{DIGEST}?name=models/model.pkl")  # one chunk: checked before answering
    assert small.status_code == 500 and small.get_json()["error"]["code"] == "internal"
    assert (
        "'models/model.pkl'" in small.get_json()["error"]["message"]
        and "corrupt" in small.get_json()["error"]["message"]
    )

    big = os.urandom(2 * CHUNK + 10)
    digest = store.artifact_store.put_bytes(big).digest
    overwrite_blob(store.artifact_store, digest, big[:-1] + b"\x00")
    response = api.get(f"/api/v1/artifacts/{digest}", buffered=False)
    assert response.status_code == 200 and response.headers["Content-Length"] == str(len(big))
    received = b""
    with pytest.raises(CorruptArtifactError):
        for chunk in response.response:
            received += chunk
    assert len(received) < len(big)


def test_cache_entries_are_found_by_key_and_by_component(api, store) -> None:
    from mltrace.entities.artifact import CacheEntry

    key = "ab" * 32
    record = run("square", 0, cache=CacheEntry(key, {"code": "c1", "argument x": "h3"}, DIGEST, "pickle"))
    (run_id,) = store.ingest([record])
    by_key = api.get(f"/api/v1/cache?key={key}").get_json()["entries"]
    assert [(e["run_id"], e["key"], e["parts"], e["result_hash"]) for e in by_key] == [
        (run_id, key, {"code": "c1", "argument x": "h3"}, DIGEST)
    ]
    assert by_key[0]["run"]["id"] == run_id
    assert api.get("/api/v1/cache/latest?component=square").get_json()["entries"][0]["run_id"] == run_id
    assert api.get("/api/v1/cache/latest?component=other").get_json() == {"entries": []}


def test_a_cached_run_shows_the_run_it_reused(api, store) -> None:
    from mltrace.entities.artifact import CacheEntry

    key = "cd" * 32
    original = run("square", 0, outputs=["out"], cache=CacheEntry(key, {}, DIGEST, "pickle"))
    cached = run(
        "square", 10, outputs=["out"], status="cached", cache=CacheEntry(key, {}, DIGEST, "pickle", original.key)
    )
    cached_id, original_id = store.ingest([cached, original])  # the reused run may arrive second
    body = api.get(f"/api/v1/runs/{cached_id}").get_json()
    assert body["status"] == "cached" and body["reused_run_id"] == original_id
    assert "reused_run_id" not in api.get(f"/api/v1/runs/{original_id}").get_json()
    nodes = api.get("/api/v1/trace?output_id=out").get_json()["nodes"]
    assert next(n for n in nodes if n["kind"] == "run")["reused_run_id"] == original_id


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A gunicorn server whose artifact store is a folder the test's pipeline uses too; yields (URL, store)."""
    tmp = tmp_path_factory.mktemp("artifact-server")
    port, artifacts, db_uri = free_port(), str(tmp / "artifacts"), f"sqlite:///{tmp / 'api.db'}"
    code = f"from mltrace.server.serve import serve; serve(host='127.0.0.1', port={port}, workers=2, db_uri={db_uri!r})"
    env = {**os.environ, "MLTRACE_HOME": str(tmp / "home"), "MLTRACE_ARTIFACT_URI": artifacts}
    env.pop("MLTRACE_DB_URI", None)
    with open(tmp / "server.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(base, "GET", "/api/v1/health")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start:\n{(tmp / 'server.log').read_text()}")
            time.sleep(0.1)
        yield base, artifacts
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_pipeline_logging_through_a_server_saves_loads_and_reuses(
    shared_server: tuple[str, str], mltrace_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    base, artifacts = shared_server
    monkeypatch.setenv("MLTRACE_ARTIFACT_URI", artifacts)
    client_module._overrides.clear()
    mltrace.set_address(base)
    ran: list[int] = []

    @mltrace.register("remote_train", cache=True)
    def train(n: int) -> str:
        ran.append(n)
        return mltrace.save(list(range(n)), "remote/model.pkl")

    try:
        digest = train(4)
        assert mltrace.flush(30)
        caching._mine.clear()
        artifacts_module._saved.clear()
        assert train(4) == digest and ran == [4]  # the hit was found through the server
        assert mltrace.load("remote/model.pkl") == [0, 1, 2, 3]
        assert mltrace.flush(30)
        statuses = [r.status for r in mltrace.get_history("remote_train")]
        assert statuses == ["cached", "success"]
        with urllib.request.urlopen(f"{base}/api/v1/artifacts/{digest}") as response:
            assert response.read() == open_blob_store(artifacts).read_bytes(digest)
    finally:
        client_module._overrides.clear()
        client_module._reset_default()
        caching._mine.clear()
        artifacts_module._saved.clear()


def test_artifacts_get_through_a_server_downloads_and_verifies(
    shared_server: tuple[str, str], mltrace_home: Path, tmp_path: Path
) -> None:
    from tests.cli.conftest import runner_for

    base, artifacts = shared_server
    digest = open_blob_store(artifacts).put_bytes(b"served bytes").digest
    invoke = runner_for("unused")
    done = invoke("artifacts", "get", digest, "-o", str(tmp_path / "got.bin"), "--server", base, db=False)
    assert done.exit_code == 0, done.output
    assert (tmp_path / "got.bin").read_bytes() == b"served bytes"
    overwrite_blob(open_blob_store(artifacts), digest, b"served bytez")
    failed = invoke("artifacts", "get", digest, "-o", str(tmp_path / "bad.bin"), "--server", base, db=False)
    assert failed.exit_code == 1 and not (tmp_path / "bad.bin").exists()
