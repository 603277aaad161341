"""`BlobStore`: bytes kept by their SHA-256, written atomically, stored once, and verified whenever they are read.

A blob lives at `sha256/<first two hex digits>/<digest>` in its folder. A write fingerprints the bytes first
(BLAKE3, `fingerprints.py`) and writes only when the store does not know them (a second save of 100 MB costs a
hash, not a write); what it writes is hashed on the way and named by that hash, so a blob always holds the
bytes its name says. Reads hash what they
return: a blob that went missing is ArtifactMissingError, one whose bytes changed is CorruptArtifactError, each
naming the artifact, and nothing corrupt is handed over or left at a destination.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mltrace.artifacts.digests import CHUNK, HashingWriter, copy_hashing, is_digest, short
from mltrace.artifacts.fingerprints import fingerprints, forget, known_blob, recorded, remember
from mltrace.artifacts.folders import TEMPORARY, Folder
from mltrace.errors import ArtifactMissingError, CorruptArtifactError, InvalidInputError

IN_MEMORY_MAX = 64 << 20  # blobs up to this size are verified in memory before use; larger ones on disk first
BLOBS = "sha256"


@dataclass(frozen=True)
class Blob:
    """A blob in the store: its digest and size, and whether this call wrote it (False: it was there already)."""

    digest: str
    size: int
    written: bool = False


@dataclass(frozen=True)
class StoredBlob:
    """A blob as a listing of the store finds it."""

    digest: str
    size: int
    modified: float  # epoch seconds


class BlobStore:
    """Content-addressed bytes in one folder (local or fsspec)."""

    def __init__(self, folder: Folder) -> None:
        self.folder = folder

    @property
    def location(self) -> str:
        """Where the blobs are, as the user configured it."""
        return self.folder.location

    # --- asking ---------------------------------------------------------------
    def size(self, digest: str) -> int | None:
        """The size of the blob, or None when the store does not hold it."""
        return self.folder.size(_path(digest))

    def has(self, digest: str) -> bool:
        """Whether the store holds the blob."""
        return self.size(digest) is not None

    def local_path(self, digest: str) -> str | None:
        """The blob's file on this machine (a local store only), for serving it directly."""
        return self.folder.local_path(_path(digest))

    # --- writing --------------------------------------------------------------
    def put(self, write: Callable[[BinaryIO], object]) -> Blob:
        """Stores the bytes `write(file)` produces: called once to fingerprint them, and again to store them only
        when the store does not know them (so it must write the same bytes each time, as serializers do)."""
        probe = HashingWriter(sha256=False, fingerprint=True)
        write(probe)  # type: ignore[arg-type]
        return self._known(probe) or self._write(write)

    def put_bytes(self, data: bytes | bytearray | memoryview) -> Blob:
        """Stores `data`."""
        view = memoryview(data)
        probe = HashingWriter(sha256=False, fingerprint=True)
        probe.write(view)
        return self._known(probe) or self._write(lambda file: file.write(view))

    def put_file(self, path: str | os.PathLike[str]) -> Blob:
        """Stores a file's bytes, read a CHUNK at a time."""
        with open(path, "rb") as source:
            probe = copy_hashing(source, None, sha256=False, fingerprint=True)

        def copy(target: BinaryIO) -> None:
            with open(path, "rb") as source:
                copy_hashing(source, target)

        return self._known(probe) or self._write(copy)

    def _known(self, probe: HashingWriter) -> Blob | None:
        """The stored blob when these bytes were stored before (found by their fingerprint) and still are."""
        digest = known_blob(self.folder, probe.fingerprint(), probe.size)
        return self._present(digest, probe.size) if digest is not None else None

    def _present(self, digest: str, size: int) -> Blob | None:
        """The stored blob when the store already holds these bytes (a blob of another size is rewritten)."""
        if self.size(digest) != size:
            return None
        self.folder.refresh(_path(digest))
        return Blob(digest, size, written=False)

    def _write(self, write: Callable[[BinaryIO], object]) -> Blob:
        """Writes the bytes to a temporary file, hashing them on the way, and names the blob by that hash (the
        bytes are dropped when the store holds them already); then records their fingerprint."""
        temporary, handle = self.folder.new_temporary()
        try:
            writer = HashingWriter(handle, fingerprint=True)
            write(writer)  # type: ignore[arg-type]
            digest = writer.hexdigest()
            present = self._present(digest, writer.size)
            if present is None:
                self.folder.publish(temporary, handle, _path(digest))
            else:
                self.folder.discard(temporary, handle)
        except BaseException:
            self.folder.discard(temporary, handle)
            raise
        try:
            remember(self.folder, writer.fingerprint(), digest, writer.size)
        except OSError:
            pass  # the blob is stored; without its fingerprint the next save of these bytes hashes them again
        return present or Blob(digest, writer.size, written=True)

    # --- reading --------------------------------------------------------------
    def read_bytes(self, digest: str, label: str | None = None) -> bytes:
        """The blob's bytes, verified."""
        with self._open(digest, label) as source:
            data = source.read()
        _check(digest, hashlib.sha256(data).hexdigest(), label, self.location)
        return data

    @contextmanager
    def open(self, digest: str, label: str | None = None) -> Iterator[BinaryIO]:
        """The blob as a file, its bytes verified before it is handed over: held in memory up to IN_MEMORY_MAX;
        past that verified in place (a local store) or copied to a temporary file while verified (fsspec)."""
        size = self.size(digest)
        if size is None:
            raise _missing(digest, label, self.location)
        if size <= IN_MEMORY_MAX:
            yield io.BytesIO(self.read_bytes(digest, label))
            return
        if self.local_path(digest) is not None:
            with self._open(digest, label) as source:
                _check(digest, copy_hashing(source, None).hexdigest(), label, self.location)
            with self._open(digest, label) as source:
                yield source
            return
        with tempfile.TemporaryFile() as copy:
            with self._open(digest, label) as source:
                _check(digest, copy_hashing(source, copy).hexdigest(), label, self.location)  # type: ignore[arg-type]
            copy.seek(0)
            yield copy  # type: ignore[misc]

    def chunks(self, digest: str, label: str | None = None) -> Iterator[bytes]:
        """The blob's bytes a CHUNK at a time, for streaming. Opened and read up to its first chunk now: a missing
        blob, and a corrupt one of a single chunk, raise here rather than while streaming. Later, the last chunk is
        held back until the whole blob is verified: a corrupt blob raises CorruptArtifactError before its end is
        sent, so a reader never gets a complete corrupt copy."""
        source = self._open_source(digest, label)
        try:
            first = source.read(CHUNK)
            rest = source.read(CHUNK) if first else b""
            if not rest:
                _check(digest, hashlib.sha256(first).hexdigest(), label, self.location)
                source.close()
                return iter([first] if first else [])
        except BaseException:
            source.close()
            raise
        return self._verified_chunks(source, [first, rest], digest, label)

    def _verified_chunks(self, source: BinaryIO, read: list[bytes], digest: str, label: str | None) -> Iterator[bytes]:
        sha = hashlib.sha256()
        with source:
            previous = b""
            for block in itertools.chain(read, iter(lambda: source.read(CHUNK), b"")):
                sha.update(block)
                if previous:
                    yield previous
                previous = block
        _check(digest, sha.hexdigest(), label, self.location)
        if previous:
            yield previous

    def open_unverified(self, digest: str, label: str | None = None) -> BinaryIO:
        """The blob as a seekable file, not verified: for a byte range, which cannot be (close it when done)."""
        return self._open_source(digest, label)

    def get_to_path(self, digest: str, destination: str | os.PathLike[str], label: str | None = None) -> int:
        """Writes the blob to `destination` (atomically: a temporary file beside it, verified, then renamed over
        it); returns its size. A corrupt blob leaves `destination` as it was."""
        target = Path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out, self._open(digest, label) as source:
                writer = copy_hashing(source, out)  # type: ignore[arg-type]
                out.flush()
                os.fsync(out.fileno())
            _check(digest, writer.hexdigest(), label, self.location)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return writer.size

    @contextmanager
    def _open(self, digest: str, label: str | None) -> Iterator[BinaryIO]:
        with self._open_source(digest, label) as source:
            yield source

    def _open_source(self, digest: str, label: str | None) -> BinaryIO:
        if not is_digest(digest):
            raise InvalidInputError(f"{digest!r} is not a SHA-256 digest (64 lower-case hex digits)")
        try:
            return self.folder.open_read(_path(digest))
        except FileNotFoundError:
            raise _missing(digest, label, self.location) from None

    # --- housekeeping ---------------------------------------------------------
    def blobs(self) -> Iterator[StoredBlob]:
        """Every blob in the store (files under other names are not blobs and are left out)."""
        for path, size, modified in self.folder.files(BLOBS):
            name = path.rsplit("/", 1)[-1]
            if is_digest(name) and path == _path(name):
                yield StoredBlob(name, size, modified)

    def delete(self, digest: str) -> bool:
        """Removes a blob; False when it was not there."""
        if not is_digest(digest):
            raise InvalidInputError(f"{digest!r} is not a SHA-256 digest")
        return self.folder.delete(_path(digest))

    def remove_abandoned(self, older_than_s: float) -> int:
        """Removes temporary files left by writers that died (older than `older_than_s`); returns how many."""
        limit = time.time() - older_than_s
        removed = 0
        for path, _size, modified in list(self.folder.files(TEMPORARY)):
            if modified < limit and self.folder.delete(path):
                removed += 1
        return removed

    def remove_stale_fingerprints(self) -> int:
        """Removes the fingerprints of blobs no longer in the store; returns how many."""
        removed = 0
        for fingerprint in fingerprints(self.folder):
            found = recorded(self.folder, fingerprint)
            if found is None or self.size(found[0]) != found[1]:
                forget(self.folder, fingerprint)
                removed += 1
        return removed


def _path(digest: str) -> str:
    return f"{BLOBS}/{digest[:2]}/{digest}"


def _label(digest: str, label: str | None) -> str:
    return f"artifact {label!r} (sha256 {short(digest)}…)" if label else f"artifact sha256 {digest}"


def _missing(digest: str, label: str | None, location: str) -> ArtifactMissingError:
    return ArtifactMissingError(f"{_label(digest, label)} is not in the artifact store {location}")


def _check(digest: str, actual: str, label: str | None, location: str) -> None:
    if actual != digest:
        raise CorruptArtifactError(
            f"{_label(digest, label)} is corrupt in the artifact store {location}: its bytes hash to "
            f"{short(actual)}…; it was not used"
        )
