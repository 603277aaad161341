"""SHA-256 digests of streams: the writer that hashes what passes through it, in bounded chunks."""

from __future__ import annotations

import hashlib
import re
from typing import Any, BinaryIO

CHUNK = 1 << 20  # bytes read, hashed and written at a time: memory stays flat whatever the artifact's size
_DIGEST = re.compile(r"[0-9a-f]{64}")


def is_digest(text: object) -> bool:
    """Whether `text` is a SHA-256 in lower-case hex, the only form the store names blobs by."""
    return isinstance(text, str) and _DIGEST.fullmatch(text) is not None


def short(digest: str) -> str:
    """The first 12 hex digits, as people read a digest."""
    return digest[:12]


class HashingWriter:
    """A binary file-like sink that hashes every byte written and passes it on (to `target`, or nowhere).

    Large writes (pickle hands over a big `bytes` in one call) are passed on in CHUNK slices of the same
    buffer, without a copy, so that a buffering target (an fsspec upload) never holds more than it must.
    """

    def __init__(self, target: BinaryIO | None = None) -> None:
        self.target = target
        self.size = 0
        self._sha = hashlib.sha256()

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._sha.update(view)  # hashlib releases the GIL for large buffers
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
        return self._sha.hexdigest()

    # what `pickle.dump`, `json.dump` wrappers and `shutil.copyfileobj` ask of a file
    def flush(self) -> None:
        if self.target is not None:
            self.target.flush()

    def writable(self) -> bool:
        return True


def copy_hashing(source: BinaryIO, target: BinaryIO | None) -> HashingWriter:
    """Copies `source` to `target` (or only reads it, when None) a CHUNK at a time; the writer holds the digest."""
    writer = HashingWriter(target)
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
