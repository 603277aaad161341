"""The SHA-256 of files this process stored or restored, by their size and modification time: a file it then reads
or writes unchanged is versioned by the same hash as its artifact, so the two meet in the lineage."""

from __future__ import annotations

import os
import threading

_known: dict[tuple[str, int, int], str] = {}  # (absolute path, size, mtime_ns) → SHA-256
_lock = threading.Lock()
_MOST = 100_000  # entries kept; past that the oldest are forgotten


def remember(path: str | os.PathLike[str], digest: str) -> None:
    """Notes that the file at `path`, as it is now, holds the bytes of `digest`."""
    try:
        st = os.stat(path)
    except OSError:
        return
    with _lock:
        if len(_known) >= _MOST:
            _known.pop(next(iter(_known)))
        _known[os.path.abspath(path), st.st_size, st.st_mtime_ns] = digest


def digest_of(path: str | os.PathLike[str], size: int, mtime_ns: int) -> str | None:
    """The SHA-256 noted for the file at `path` with this size and modification time, if any."""
    if not _known:
        return None
    return _known.get((os.path.abspath(path), size, mtime_ns))
