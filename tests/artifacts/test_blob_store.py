"""The blob store keeps bytes by their SHA-256: once, whole or not at all, and never hands back bytes that changed.

Each test runs on a local folder, fsspec's in-memory file system and S3 (moto's server on loopback, through s3fs).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mltrace.artifacts.blobs import IN_MEMORY_MAX, BlobStore
from mltrace.artifacts.location import open_blob_store
from mltrace.errors import ArtifactMissingError, CorruptArtifactError, InvalidInputError
from tests.artifacts.conftest import overwrite_blob

ROOT = Path(__file__).resolve().parents[2]


def test_bytes_files_and_streams_round_trip_under_their_sha256(blob_store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(3 * 2**20 + 17)  # several chunks and a partial one
    source = tmp_path / "data.bin"
    source.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()

    from_bytes = blob_store.put_bytes(data)
    from_file = blob_store.put_file(source)
    from_stream = blob_store.put(lambda file: [file.write(data[i : i + 1000]) for i in range(0, len(data), 1000)])

    assert from_bytes.digest == from_file.digest == from_stream.digest == digest
    assert (from_bytes.written, from_file.written, from_stream.written) == (True, False, False)
    assert blob_store.read_bytes(digest) == data
    assert b"".join(blob_store.chunks(digest)) == data
    with blob_store.open(digest) as handle:
        assert handle.read() == data
    assert blob_store.get_to_path(digest, tmp_path / "out" / "copy.bin") == len(data)
    assert (tmp_path / "out" / "copy.bin").read_bytes() == data
    assert blob_store.size(digest) == len(data)


def test_the_same_bytes_are_stored_once(blob_store: BlobStore) -> None:
    first = blob_store.put_bytes(b"model weights")
    second = blob_store.put(lambda file: file.write(b"model weights"))
    assert first.written and not second.written
    assert [(b.digest, b.size) for b in blob_store.blobs()] == [(first.digest, 13)]


def test_a_corrupt_blob_is_refused_naming_the_artifact_and_nothing_corrupt_is_written(
    blob_store: BlobStore, tmp_path: Path
) -> None:
    digest = blob_store.put_bytes(b"a" * 5000).digest
    overwrite_blob(blob_store, digest, b"b" * 5000)
    (tmp_path / "out").mkdir()
    destination = tmp_path / "out" / "model.pkl"
    destination.write_bytes(b"the previous model")

    for read in (
        lambda: blob_store.read_bytes(digest, label="models/model.pkl"),
        lambda: b"".join(blob_store.chunks(digest, label="models/model.pkl")),
        lambda: blob_store.get_to_path(digest, destination, label="models/model.pkl"),
    ):
        with pytest.raises(CorruptArtifactError, match=r"'models/model.pkl' \(sha256 " + digest[:12]):
            read()
    assert destination.read_bytes() == b"the previous model"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["model.pkl"]  # no temporary file left beside it


def test_a_stream_holds_back_its_last_chunk_until_the_blob_is_verified(blob_store: BlobStore) -> None:
    data = os.urandom(2 * 2**20 + 5)
    digest = blob_store.put_bytes(data).digest
    overwrite_blob(blob_store, digest, data[:-1] + bytes([data[-1] ^ 1]))  # the very last byte differs
    received = b""
    with pytest.raises(CorruptArtifactError):
        for chunk in blob_store.chunks(digest):
            received += chunk
    assert len(received) < len(data)  # a reader never holds a complete corrupt copy


def test_a_large_blob_is_verified_before_it_is_handed_over(tmp_path: Path) -> None:
    store = open_blob_store(str(tmp_path / "artifacts"))
    data = os.urandom(IN_MEMORY_MAX + 1)
    digest = store.put_bytes(data).digest
    with store.open(digest) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == digest
    overwrite_blob(store, digest, data[:-1] + b"\x00")
    with pytest.raises(CorruptArtifactError), store.open(digest):
        pass


def test_a_missing_blob_is_named(blob_store: BlobStore) -> None:
    digest = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(
        ArtifactMissingError, match=f"'data/x.csv' \\(sha256 {digest[:12]}.*is not in the artifact store"
    ):
        blob_store.read_bytes(digest, label="data/x.csv")
    with pytest.raises(ArtifactMissingError):
        blob_store.chunks(digest)  # at once, not when the first chunk is read
    with pytest.raises(InvalidInputError, match="not a SHA-256"):
        blob_store.read_bytes("../../etc/passwd")


def test_a_write_that_fails_halfway_leaves_no_blob_and_no_temporary_file(blob_store: BlobStore) -> None:
    def write(file):
        file.write(os.urandom(3 * 2**20))
        if getattr(file, "target", None) is not None:  # the second pass, which writes
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        blob_store.put(write)
    assert list(blob_store.blobs()) == []
    assert list(blob_store.folder.files("tmp")) == []


WRITER = """
import sys, time
from mltrace.artifacts.location import open_blob_store

def write(file):
    writing = getattr(file, "target", None) is not None  # the first pass only hashes
    for i in range(2000):
        file.write(bytes([i % 256]) * 1_000_000)
        if writing and i == 20:
            print("writing", flush=True)
        if writing and i > 20:
            time.sleep(0.01)

open_blob_store(sys.argv[1]).put(write)
print("done", flush=True)
"""


@pytest.mark.parametrize("any_store_uri", ["local", "s3"], indirect=True)
def test_a_writer_killed_mid_save_leaves_no_visible_blob(any_store_uri: str) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, any_store_uri], cwd=ROOT, stdout=subprocess.PIPE, text=True, env=os.environ
    ) as writer:
        try:
            assert writer.stdout is not None
            assert writer.stdout.readline() == "writing\n"
            time.sleep(0.3)  # parts of the upload are on their way
            os.kill(writer.pid, signal.SIGKILL)
        finally:
            writer.wait(30)
    assert writer.returncode == -signal.SIGKILL
    store = open_blob_store(any_store_uri)
    assert list(store.blobs()) == []
    leftovers = list(store.folder.files("tmp"))
    assert all(path.startswith("tmp/") for path, _size, _modified in leftovers)
    store.remove_abandoned(older_than_s=0)
    assert list(store.folder.files("tmp")) == []


def test_a_file_url_is_a_local_folder(tmp_path: Path) -> None:
    store = open_blob_store(f"file://{tmp_path / 'shared'}")
    digest = store.put_bytes(b"shared").digest
    assert (tmp_path / "shared" / "sha256" / digest[:2] / digest).read_bytes() == b"shared"


def test_a_second_save_of_the_same_bytes_is_found_by_fingerprint_without_sha256(
    blob_store: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mltrace.artifacts import digests

    data = os.urandom(3 * 2**20)
    first = blob_store.put_bytes(data)
    made = []
    real = digests.hashlib.sha256
    monkeypatch.setattr(digests.hashlib, "sha256", lambda *args, **kwargs: made.append(1) or real(*args, **kwargs))
    again = [blob_store.put_bytes(data), blob_store.put(lambda file: file.write(data))]
    assert made == []  # BLAKE3 alone found them
    assert [(b.digest, b.size, b.written) for b in again] == [(first.digest, len(data), False)] * 2
    assert [b.digest for b in blob_store.blobs()] == [first.digest]


def test_a_fingerprint_names_the_bytes_written_not_those_of_the_first_pass(blob_store: BlobStore) -> None:
    """A serializer that writes other bytes the second time: the blob and its fingerprint are both the second's,
    so the first pass's bytes saved later are stored under their own digest."""
    calls = iter([b"first pass", b"second pass"])
    stored = blob_store.put(lambda file: file.write(next(calls)))
    assert stored.digest == hashlib.sha256(b"second pass").hexdigest()
    first = blob_store.put_bytes(b"first pass")
    assert (first.digest, first.written) == (hashlib.sha256(b"first pass").hexdigest(), True)
    assert blob_store.read_bytes(first.digest) == b"first pass"
    assert blob_store.put_bytes(b"second pass").written is False


def test_a_fingerprint_of_a_deleted_or_damaged_record_is_not_trusted(blob_store: BlobStore) -> None:
    from mltrace.artifacts.fingerprints import fingerprints

    digest = blob_store.put_bytes(b"weights v1").digest
    blob_store.delete(digest)
    again = blob_store.put_bytes(b"weights v1")
    assert (again.digest, again.written) == (digest, True)  # its blob was gone: written again
    (fingerprint,) = fingerprints(blob_store.folder)
    with blob_store.folder.open_read(f"blake3/{fingerprint[:2]}/{fingerprint}") as entry:
        assert entry.read().decode() == f"{digest} 10\n"
    temporary, handle = blob_store.folder.new_temporary()
    handle.write(f"{hashlib.sha256(b'other').hexdigest()} 99\n".encode())
    blob_store.folder.publish(temporary, handle, f"blake3/{fingerprint[:2]}/{fingerprint}")
    assert blob_store.put_bytes(b"weights v1").digest == digest  # a record of another size is ignored


def test_bytes_stored_before_their_fingerprint_are_found_by_sha256_and_not_written_again(
    blob_store: BlobStore,
) -> None:
    from mltrace.artifacts.fingerprints import fingerprints, forget

    digest = blob_store.put_bytes(b"from an older store").digest
    for fingerprint in fingerprints(blob_store.folder):
        forget(blob_store.folder, fingerprint)
    again = blob_store.put_bytes(b"from an older store")
    assert (again.digest, again.written) == (digest, False)
    assert len(fingerprints(blob_store.folder)) == 1
    assert list(blob_store.folder.files("tmp")) == []


def test_stale_fingerprints_are_removed_with_their_blobs(blob_store: BlobStore) -> None:
    from mltrace.artifacts.fingerprints import fingerprints, known_blob

    kept = blob_store.put_bytes(b"kept")
    gone = blob_store.put_bytes(b"gone")
    blob_store.delete(gone.digest)
    assert blob_store.remove_stale_fingerprints() == 1
    (fingerprint,) = fingerprints(blob_store.folder)
    assert known_blob(blob_store.folder, fingerprint, 4) == kept.digest
