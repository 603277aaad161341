"""Digests of streams: the writer that hashes what passes through it, in bounded chunks, with SHA-256 (the blobs'
names) and, where asked, BLAKE3 (their fingerprints, `fingerprints.py`)."""

from __future__ import annotations

import hashlib
import re
from typing import Any, BinaryIO

from blake3 import blake3

CHUNK = 1 << 20  # bytes read, hashed and written at a time: memory stays flat whatever the artifact's size
_DIGEST = re.compile(r"[0-9a-f]{64}")


def is_digest(text: object) -> bool:
    """Whether `text` is a SHA-256 in lower-case hex, the only form the store names blobs by."""
    return isinstance(text, str) and _DIGEST.fullmatch(text) is not None


def short(digest: str) -> str:
    """The first 12 hex digits, as people read a digest."""
    return digest[:12]


class HashingWriter:
    """A binary file-like sink that hashes every byte written and passes it on (to `target`, or nowhere): with
    SHA-256 unless `sha256` is False, and with BLAKE3 too when `fingerprint` is True.

    Large writes (pickle hands over a big `bytes` in one call) are passed on in CHUNK slices of the same
    buffer, without a copy, so that a buffering target (an fsspec upload) never holds more than it must.
    """

    def __init__(self, target: BinaryIO | None = None, *, sha256: bool = True, fingerprint: bool = False) -> None:
        self.target = target
        self.size = 0
        self._sha = hashlib.sha256() if sha256 else None
        self._blake3 = blake3(max_threads=blake3.AUTO) if fingerprint else None  # large buffers on every core

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if self._sha is not None:
            self._sha.update(view)  # hashlib releases the GIL for large buffers
        if self._blake3 is not None:
            self._blake3.update(view)
        if self.target is not None:
            if len(view) <= CHUNK:
                self.target.write(view)
            else:
                for start in range(0, len(view), CHUNK):
                    self.target.write(view[start : start + CHUNK])
        self.size += len(view)
        return len(view)

    def hexdigest(self) -> str:
        """The SHA-256 of everything written so far."""
        if self._sha is None:
            raise ValueError("this writer does not hash with SHA-256")
        return self._sha.hexdigest()

    def fingerprint(self) -> str:
        """The BLAKE3 of everything written so far."""
        if self._blake3 is None:
            raise ValueError("this writer does not hash with BLAKE3")
        return self._blake3.hexdigest()

    # what `pickle.dump`, `json.dump` wrappers and `shutil.copyfileobj` ask of a file
    def flush(self) -> None:
        if self.target is not None:
            self.target.flush()

    def writable(self) -> bool:
        return True


def copy_hashing(source: BinaryIO, target: BinaryIO | None, **hashes: bool) -> HashingWriter:
    """Copies `source` to `target` (or only reads it, when None) a CHUNK at a time; the writer holds the digests
    (`hashes`: HashingWriter's `sha256` and `fingerprint`)."""
    writer = HashingWriter(target, **hashes)
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    while True:
        n = source.readinto(view) if hasattr(source, "readinto") else _read_into(source, view)
        if not n:
            return writer
        writer.write(view[:n])


def _read_into(source: BinaryIO, view: memoryview) -> int:
    block = source.read(len(view))
    view[: len(block)] = block
    return len(block)
