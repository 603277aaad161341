"""Files tracked by hash: `FILE.mltrace`, a small JSON file committed to git in place of FILE, names the bytes of FILE
in the artifact store (their SHA-256, size, and FILE's modification time when it was tracked)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mltrace.artifacts import known_files
from mltrace.artifacts.blobs import BlobStore
from mltrace.artifacts.digests import copy_hashing, is_digest
from mltrace.errors import InvalidInputError

SUFFIX = ".mltrace"
_SKIPPED_FOLDERS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".mltrace"}


@dataclass(frozen=True)
class TrackedFile:
    """What a `.mltrace` file says about the file it stands for."""

    pointer: Path  # the `.mltrace` file
    digest: str
    size: int
    mtime_ns: int  # of the file when it was tracked: an unchanged size and time mean unchanged bytes
    tracked_at: str

    @property
    def path(self) -> Path:
        """The data file (the `.mltrace` file's name without its suffix)."""
        return self.pointer.with_name(self.pointer.name[: -len(SUFFIX)])


def track(store: BlobStore, path: str | os.PathLike[str]) -> tuple[TrackedFile, bool]:
    """Stores a file's bytes and writes `FILE.mltrace` beside it; returns it and whether the bytes were new."""
    source = Path(path)
    if source.name.endswith(SUFFIX):
        raise InvalidInputError(f"{source} is a {SUFFIX} file already; track the file it stands for")
    if not source.is_file():
        raise InvalidInputError(f"{source} is not a file")
    before = source.stat()
    blob = store.put_file(source)
    known_files.remember(source, blob.digest)
    tracked = TrackedFile(
        pointer_of(source), blob.digest, blob.size, before.st_mtime_ns, datetime.now(timezone.utc).isoformat()
    )
    _write_atomically(tracked.pointer, _encode(tracked))
    return tracked, blob.written


def read(pointer: str | os.PathLike[str]) -> TrackedFile:
    """The `.mltrace` file at `pointer`; InvalidInputError naming it when it is not one."""
    path = Path(pointer)
    if not path.name.endswith(SUFFIX):
        raise InvalidInputError(f"{path} is not a {SUFFIX} file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        tracked = TrackedFile(path, data["sha256"], int(data["size"]), int(data["mtime_ns"]), str(data["tracked_at"]))
    except FileNotFoundError:
        raise InvalidInputError(f"{path} does not exist") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"{path} is not a {SUFFIX} file mltrace can read ({type(exc).__name__})") from None
    if not is_digest(tracked.digest) or tracked.size < 0:
        raise InvalidInputError(f"{path} does not hold a SHA-256 and a size")
    return tracked


def pointer_of(path: str | os.PathLike[str]) -> Path:
    """The `.mltrace` file of a data file."""
    source = Path(path)
    return source.with_name(source.name + SUFFIX)


def find(root: str | os.PathLike[str] = ".") -> Iterator[Path]:
    """Every `.mltrace` file under `root`, in name order (version-control and virtualenv folders skipped)."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_FOLDERS)
        for name in sorted(names):
            if name.endswith(SUFFIX) and len(name) > len(SUFFIX):
                yield Path(folder) / name


def state(tracked: TrackedFile) -> str:
    """`unchanged`, `modified` or `missing`: the file now against what was tracked (its size and modification time
    when they are unchanged, else its bytes)."""
    try:
        now = tracked.path.stat()
    except FileNotFoundError:
        return "missing"
    if now.st_size != tracked.size:
        return "modified"
    if now.st_mtime_ns == tracked.mtime_ns:
        return "unchanged"
    with open(tracked.path, "rb") as handle:
        return "unchanged" if copy_hashing(handle, None).hexdigest() == tracked.digest else "modified"


def pull(store: BlobStore, tracked: TrackedFile) -> bool:
    """Writes the tracked bytes to the file (verified, atomically) unless it holds them already; True when written."""
    if state(tracked) == "unchanged":
        return False
    store.get_to_path(tracked.digest, tracked.path, label=str(tracked.path))
    os.utime(tracked.path, ns=(tracked.mtime_ns, tracked.mtime_ns))  # as tracked: `status` then needs no hash
    known_files.remember(tracked.path, tracked.digest)
    return True


def _encode(tracked: TrackedFile) -> str:
    data = {
        "file": tracked.path.name,
        "sha256": tracked.digest,
        "size": tracked.size,
        "mtime_ns": tracked.mtime_ns,
        "tracked_at": tracked.tracked_at,
    }
    return json.dumps(data, indent=2) + "\n"


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
