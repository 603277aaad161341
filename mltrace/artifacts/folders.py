"""Where a blob store keeps its files: a local directory (no dependency) or an fsspec file system (S3, GCS, memory…).

Both offer the same few operations, and each makes a new file visible under its final name only once it is
whole: a local file is written under a temporary name in the store, fsynced and renamed; an fsspec file is
uploaded under a temporary name and moved (on S3 a copy, which appears at once and whole, then a delete).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from mltrace.artifacts.digests import CHUNK

TEMPORARY = "tmp"  # folder of files being written; never read as blobs


class Folder(Protocol):
    """The operations a blob store needs from where it keeps its files (paths are relative, `/`-separated)."""

    location: str

    def size(self, path: str) -> int | None: ...
    def open_read(self, path: str) -> BinaryIO: ...
    def new_temporary(self) -> tuple[str, BinaryIO]: ...
    def publish(self, temporary: str, handle: BinaryIO, path: str) -> None: ...
    def discard(self, temporary: str, handle: BinaryIO) -> None: ...
    def delete(self, path: str) -> bool: ...
    def files(self, prefix: str) -> Iterator[tuple[str, int, float]]: ...
    def refresh(self, path: str) -> None: ...
    def local_path(self, path: str) -> str | None: ...


class LocalFolder:
    """A directory on this machine (or a mounted share): temporary file, fsync, rename."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser()
        self.location = str(self.root)

    def size(self, path: str) -> int | None:
        try:
            return os.stat(self.root / path).st_size
        except (FileNotFoundError, NotADirectoryError):
            return None

    def open_read(self, path: str) -> BinaryIO:
        return open(self.root / path, "rb")

    def new_temporary(self) -> tuple[str, BinaryIO]:
        name = f"{TEMPORARY}/{uuid.uuid4().hex}.part"
        (self.root / TEMPORARY).mkdir(parents=True, exist_ok=True)
        return name, open(self.root / name, "xb")

    def publish(self, temporary: str, handle: BinaryIO, path: str) -> None:
        try:
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the name says they are there
        finally:
            handle.close()
        final = self.root / path
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / temporary, final)  # atomic; a blob written twice at once has the same bytes
        _fsync_directory(final.parent)

    def discard(self, temporary: str, handle: BinaryIO) -> None:
        handle.close()
        (self.root / temporary).unlink(missing_ok=True)

    def delete(self, path: str) -> bool:
        try:
            (self.root / path).unlink()
        except FileNotFoundError:
            return False
        return True

    def files(self, prefix: str) -> Iterator[tuple[str, int, float]]:
        base = self.root / prefix
        for folder, _dirs, names in os.walk(base):
            for name in names:
                full = Path(folder) / name
                try:
                    st = full.stat()
                except FileNotFoundError:  # deleted meanwhile
                    continue
                yield full.relative_to(self.root).as_posix(), st.st_size, st.st_mtime

    def refresh(self, path: str) -> None:
        """Marks a blob as just used (its modification time), so that a collection keeps it a while longer."""
        try:
            os.utime(self.root / path)
        except OSError:
            pass

    def local_path(self, path: str) -> str | None:
        return str(self.root / path)


class FsspecFolder:
    """A folder of an fsspec file system (`s3://bucket/prefix`, `memory://…`): uploaded under a temporary name,
    then moved."""

    def __init__(self, url: str, **options: Any) -> None:
        try:
            import fsspec
        except ImportError:
            raise ImportError(
                f"the artifact store {url!r} needs fsspec (and s3fs for s3://): pip install 'mltrace[artifacts]'"
            ) from None
        self.fs, root = fsspec.core.url_to_fs(url, **options)
        self.root = root.rstrip("/")
        self.location = url

    def _full(self, path: str) -> str:
        return f"{self.root}/{path}"

    def size(self, path: str) -> int | None:
        try:
            info = self.fs.info(self._full(path), refresh=True)
        except FileNotFoundError:
            return None
        return None if info.get("type") == "directory" else int(info["size"])

    def open_read(self, path: str) -> BinaryIO:
        try:
            return self.fs.open(self._full(path), "rb", block_size=CHUNK * 4)
        except FileNotFoundError:
            raise
        except OSError as exc:  # some file systems say "not found" in their own words
            if self.size(path) is None:
                raise FileNotFoundError(path) from exc
            raise

    def new_temporary(self) -> tuple[str, BinaryIO]:
        name = f"{TEMPORARY}/{uuid.uuid4().hex}.part"
        # 8 MiB parts: an upload holds one part in memory at a time (s3fs would hold 50 MiB)
        return name, self.fs.open(self._full(name), "wb", block_size=8 * CHUNK)

    def publish(self, temporary: str, handle: BinaryIO, path: str) -> None:
        handle.close()  # completes the upload; the temporary name holds the whole file now
        self.fs.mv(self._full(temporary), self._full(path))

    def discard(self, temporary: str, handle: BinaryIO) -> None:
        try:
            handle.close()
        except Exception:  # the upload itself failed: there may be nothing to remove
            pass
        try:
            self.fs.rm(self._full(temporary))
        except FileNotFoundError:
            pass

    def delete(self, path: str) -> bool:
        try:
            self.fs.rm(self._full(path))
        except FileNotFoundError:
            return False
        return True

    def files(self, prefix: str) -> Iterator[tuple[str, int, float]]:
        base = self._full(prefix)
        try:
            found = self.fs.find(base, detail=True)
        except FileNotFoundError:
            return
        for full, info in found.items():
            if info.get("type") == "directory":
                continue
            relative = full[len(self.root) :].lstrip("/") if full.startswith(self.root) else full
            yield relative, int(info.get("size") or 0), _modified(info)

    def refresh(self, path: str) -> None:
        """Object stores cannot change a file's time without rewriting it: nothing is done."""

    def local_path(self, path: str) -> str | None:
        return None


def _modified(info: dict[str, Any]) -> float:
    """A file's modification time (epoch seconds) from the info of any fsspec file system; now when unknown."""
    for key in ("mtime", "LastModified", "last_modified", "created", "updated", "modified"):
        value = info.get(key)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
    return time.time()


def _fsync_directory(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
