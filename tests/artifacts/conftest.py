"""Artifact stores for the tests: a local folder, fsspec's in-memory file system, and a real S3 API on loopback
(moto's server mode, driven through s3fs)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrace.artifacts.blobs import BlobStore
from mltrace.artifacts.location import open_blob_store

AWS_TEST_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port, for the whole session; the AWS settings s3fs reads point at it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = {name: os.environ.get(name) for name in [*AWS_TEST_ENV, "AWS_ENDPOINT_URL"]}
    os.environ.update(AWS_TEST_ENV, AWS_ENDPOINT_URL=endpoint)
    yield endpoint
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    server.stop()


def new_s3_uri(endpoint: str) -> str:
    """A new, empty bucket on the moto server, as an artifact store URI."""
    import s3fs

    bucket = f"mltrace-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(endpoint_url=endpoint).mkdir(bucket)
    return f"s3://{bucket}/artifacts"


@pytest.fixture(params=["local", "memory"])
def artifact_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh artifact store URI: a local folder, or a folder of fsspec's in-memory file system."""
    if request.param == "local":
        return str(tmp_path / "artifacts")
    return f"memory://mltrace-{uuid.uuid4().hex}/artifacts"


@pytest.fixture(params=["local", "memory", "s3"])
def any_store_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh artifact store URI on each kind of store, S3 included."""
    if request.param == "local":
        return str(tmp_path / "artifacts")
    if request.param == "memory":
        return f"memory://mltrace-{uuid.uuid4().hex}/artifacts"
    return new_s3_uri(request.getfixturevalue("s3_endpoint"))


@pytest.fixture
def blob_store(any_store_uri: str) -> BlobStore:
    return open_blob_store(any_store_uri)


def overwrite_blob(store: BlobStore, digest: str, data: bytes) -> None:
    """Replaces a stored blob's bytes behind the store's back (a disk error, someone editing the bucket)."""
    folder = store.folder
    path = f"sha256/{digest[:2]}/{digest}"
    local = folder.local_path(path)
    if local is not None:
        Path(local).write_bytes(data)
    else:
        with folder.fs.open(f"{folder.root}/{path}", "wb") as out:  # type: ignore[attr-defined]
            out.write(data)


@pytest.fixture
def pipeline_store(logging_to: str, artifact_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[BlobStore]:
    """Decorated steps logging to a fresh database (SQLite, PostgreSQL) with a fresh artifact store (a folder,
    memory); this process's memory of its own saves and cached runs starts empty."""
    from mltrace import client as client_module
    from mltrace.tracking import artifacts, caching

    monkeypatch.setenv("MLTRACE_ARTIFACT_URI", artifact_uri)
    client_module._reset_default()  # the client reads the artifact store's URI when made
    for memory in (artifacts._saved, caching._mine, caching._latest_mine):
        memory.clear()
    yield open_blob_store(artifact_uri)
    for memory in (artifacts._saved, caching._mine, caching._latest_mine):
        memory.clear()
