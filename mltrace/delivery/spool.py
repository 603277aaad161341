"""The on-disk spool: runs waiting for the store, shared safely by every process of one user and store.

Each batch is one JSON-lines file, written under a temporary name and renamed into place.
A deliverer claims a file by renaming it (only one process can win), and deletes it once
the store has committed it; a claim whose process died is released again. Runs carry a
unique key, so a batch delivered twice is stored once.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from mltrace.entities import RunRecord

log = logging.getLogger("mltrace")
_counter = itertools.count()
_SUFFIX = ".jsonl"
_CLAIM = ".claimed-"


def spool_dir_for(home: Path, target: str) -> Path:
    """The spool folder of one store (database URI or server URL) under `home`."""
    return home / "spool" / hashlib.sha1(target.encode()).hexdigest()[:16]


class Spool:
    """A folder of pending batches."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def write(self, records: list[RunRecord]) -> None:
        """Durably adds a batch (atomic: a reader sees all of it or nothing)."""
        if not records:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(_counter)}"
        tmp = self.directory / f".{name}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record.to_json(), default=str, ensure_ascii=False))
                handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.directory / f"{name}{_SUFFIX}")

    def reject(self, record: RunRecord, error: BaseException) -> None:
        """Keeps a run the store refused beside the spool (never retried, never lost)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"error": f"{type(error).__name__}: {error}", "run": record.to_json()}, default=str)
        with open(self.directory / ".rejected.ndjson", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def pending(self) -> int:
        """How many batch files wait for delivery (claimed by live processes included)."""
        if not self.directory.exists():
            return 0
        return sum(1 for p in self.directory.iterdir() if _SUFFIX in p.name and not p.name.startswith("."))

    def claim(self) -> Iterator[tuple[Path, list[RunRecord]]]:
        """Yields batches this process now owns, oldest first; call `done` or `release` on each."""
        if not self.directory.exists():
            return
        self._release_dead_claims()
        for path in sorted(self._batches(f"*{_SUFFIX}")):
            claimed = path.with_name(f"{path.name}{_CLAIM}{os.getpid()}")
            try:
                os.rename(path, claimed)
            except FileNotFoundError:
                continue  # another process won it
            yield claimed, self._read(claimed)

    def done(self, claimed: Path) -> None:
        """Forgets a delivered batch."""
        claimed.unlink(missing_ok=True)

    def release(self, claimed: Path) -> None:
        """Puts a batch back for a later delivery."""
        original = claimed.with_name(claimed.name.split(_CLAIM)[0])
        try:
            os.rename(claimed, original)
        except FileNotFoundError:
            pass

    def _batches(self, pattern: str) -> list[Path]:
        """Batch files matching `pattern`; dot-files (in writing, corrupt, rejected) are not batches."""
        return [p for p in self.directory.glob(pattern) if not p.name.startswith(".")]

    def _read(self, path: Path) -> list[RunRecord]:
        records: list[RunRecord] = []
        bad: list[str] = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    records.append(RunRecord.from_json(json.loads(line)))
                except (ValueError, TypeError, KeyError):
                    bad.append(line)
        if bad:  # keep what cannot be read beside the spool rather than lose it
            corrupt = path.with_name(f".corrupt-{path.name.split(_SUFFIX)[0]}.ndjson")
            corrupt.write_text("".join(bad), encoding="utf-8")
            log.warning("mltrace: %d unreadable spooled runs kept in %s", len(bad), corrupt)
        return records

    def _release_dead_claims(self) -> None:
        for path in self._batches(f"*{_SUFFIX}{_CLAIM}*"):
            pid = int(path.name.rsplit("-", 1)[1]) if path.name.rsplit("-", 1)[1].isdigit() else 0
            if pid != os.getpid() and not _alive(pid):
                self.release(path)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
