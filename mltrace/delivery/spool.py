"""The on-disk spool: runs waiting for the store, shared safely by every process of one user and store.

Each batch is one JSON-lines file, written under a temporary name and renamed into place. A deliverer claims
a file by renaming it (only one process can win), and deletes it once the store has committed it; a claim
whose process died is released again. Runs carry a unique key, so a batch delivered twice is stored once.
Runs the store refused are kept beside the batches in `.rejected.ndjson`, with the reason.
The journal of a `multiprocessing` child that is gone (`journal.py`) becomes a batch when a deliverer claims.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mltrace.delivery.journal import JOURNAL_PREFIX, journal_pid
from mltrace.delivery.spool_lines import decode_line, encode_line
from mltrace.entities import ComponentRun
from mltrace.entities.run_wire import from_wire, to_wire

log = logging.getLogger("mltrace")
_counter = itertools.count()
_SUFFIX = ".jsonl"
_CLAIM = ".claimed-"
REJECTED = ".rejected.ndjson"


class SpoolFullError(OSError):
    """The spool holds its maximum size already (MLTRACE_SPOOL_MAX_MB)."""


def spool_dir_for(home: Path, target: str) -> Path:
    """The spool folder of one store (database URI or server URL) under `home`."""
    return home / "spool" / hashlib.sha1(target.encode()).hexdigest()[:16]


class Spool:
    """A folder of pending batches."""

    def __init__(self, directory: Path, max_bytes: int | None = None) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def write(self, records: list[ComponentRun]) -> list[tuple[ComponentRun, str]]:
        """Durably adds a batch (atomic: a reader sees all of it or nothing); returns the runs that cannot be
        written as JSON at all, with why, which are left out. Raises OSError (SpoolFullError when past the cap)
        when the batch cannot be kept; then no file is left behind."""
        if not records:
            return []
        data, unencodable = bytearray(), []
        for record in records:
            try:
                # copied at once: orjson's bytes keep about 4 kB of memory whatever their length (a line of 514
                # bytes: 4,098 traced), so writing 5,000 runs (2.6 MB of JSON) peaked at 46 MB, now at 2.9 MB
                data += encode_line(record)
                data += b"\n"
            except Exception as exc:  # a value whose `str` fails, nesting JSON cannot hold: this run alone
                unencodable.append((record, f"cannot be written as JSON: {type(exc).__name__}: {exc}"))
        if not data:
            return unencodable
        if self.max_bytes is not None and self.size() + len(data) > self.max_bytes:
            raise SpoolFullError(f"the spool is full ({self.max_bytes // 2**20} MB in {self.directory})")
        self.directory.mkdir(parents=True, exist_ok=True)
        _write_durably(self.directory / f"{time.time_ns():020d}-{os.getpid()}-{next(_counter)}{_SUFFIX}", data)
        return unencodable

    def reject(self, record: ComponentRun, reason: str) -> None:
        """Keeps a run the store refused beside the spool, with the reason (never retried by the writer).

        Raises OSError only when nothing can be written; a run whose JSON fails is kept as its key, component,
        times and `repr`."""
        entry: dict[str, Any] = {"error": reason, "rejected_at": time.time(), "run": None}
        try:
            entry["run"] = to_wire(record)
            line = json.dumps(entry, default=str, ensure_ascii=True)
        except Exception as exc:
            shown = {"key": "key", "component": "component_name", "start": "start_timestamp", "end": "end_timestamp"}
            entry["run"] = {name: _safe_text(getattr(record, field, None)) for name, field in shown.items()}
            entry["run"]["repr"] = _safe_text(record, repr)
            entry["error"] = f"{reason} (and the run cannot be written as JSON: {type(exc).__name__})"
            line = json.dumps(entry, default=str, ensure_ascii=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / REJECTED, "a", encoding="ascii") as handle:
            handle.write(line + "\n")

    def rejected(self) -> list[dict[str, Any]]:
        """Every run set aside in this spool folder, oldest first: `{"error", "rejected_at", "run"}`."""
        path = self.directory / REJECTED
        if not path.exists():
            return []
        entries = []
        for line in path.read_text(encoding="ascii", errors="replace").splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue  # a line cut by a full disk
        return entries

    def requeue_rejected(self) -> int:
        """Moves the refused runs back into the spool as one batch (after the cause was fixed); returns how
        many. Entries whose run cannot be read back stay where they are."""
        path = self.directory / REJECTED
        if not path.exists():
            return 0
        runs, kept = [], []
        for entry in self.rejected():
            try:
                runs.append(from_wire(entry["run"]))
            except (ValueError, TypeError, KeyError):
                kept.append(json.dumps(entry, ensure_ascii=True))
        self.write(runs)
        tmp = path.with_name(f"{REJECTED}.tmp")
        tmp.write_text("".join(f"{line}\n" for line in kept), encoding="ascii")
        os.replace(tmp, path)
        return len(runs)

    def pending(self) -> int:
        """How many batch files wait for delivery (claimed by live processes included)."""
        return len(self._batches(f"*{_SUFFIX}*"))

    def waiting(self) -> tuple[int, int]:
        """How many runs wait for delivery, and in how many files: the batches (claimed ones too) and the
        journals of processes that are gone."""
        runs = files = 0
        for path in [*self._batches(f"*{_SUFFIX}*"), *self._journals(running=False)]:
            try:
                lines = sum(1 for line in path.read_bytes().splitlines() if line.strip())
            except FileNotFoundError:
                continue  # delivered meanwhile
            runs, files = runs + lines, files + 1
        return runs, files

    def running_journals(self) -> int:
        """How many running processes hold runs they have not stored yet (their journals are not empty)."""
        return sum(1 for path in self._journals(running=True) if _size(path))

    def size(self) -> int:
        """Bytes held by the batch files."""
        return sum(_size(path) for path in self._batches(f"*{_SUFFIX}*"))

    def claim(self) -> Iterator[tuple[Path, list[ComponentRun]]]:
        """Yields batches this process now owns, oldest first; call `done` or `release` on each."""
        if not self.directory.exists():
            return
        self._release_dead_claims()
        self._adopt_dead_journals()
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

    def remove_orphans(self) -> None:
        """Deletes the temporary files of writers that died while writing (a full disk, a kill)."""
        if not self.directory.exists():
            return
        for path in self.directory.glob(".*.tmp"):
            parts = path.name[1:].split("-")
            pid = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0
            if pid != os.getpid() and not _alive(pid):
                path.unlink(missing_ok=True)

    def _batches(self, pattern: str) -> list[Path]:
        """Batch files matching `pattern`; dot-files (in writing, corrupt, rejected) are not batches."""
        if not self.directory.exists():
            return []
        return [p for p in self.directory.glob(pattern) if not p.name.startswith(".")]

    def _read(self, path: Path) -> list[ComponentRun]:
        """The runs of a claimed batch. Lines that cannot be read are moved beside the spool (said once): the batch
        keeps only its readable runs, so one put back is neither counted with them nor read as corrupt again."""
        records: list[ComponentRun] = []
        bad: dict[int, bytes] = {}  # by line number
        with open(path, "rb") as handle:
            for number, line in enumerate(handle):
                if not line.strip():
                    continue
                try:
                    records.append(decode_line(line))
                except (ValueError, TypeError, KeyError):
                    bad[number] = line
        if bad:  # keep what cannot be read beside the spool rather than lose it
            corrupt = path.with_name(f".corrupt-{path.name.split(_SUFFIX)[0]}.ndjson")
            _write_durably(corrupt, b"".join(bad.values()))
            log.warning("mltrace: %d unreadable spooled runs kept in %s", len(bad), corrupt)
            if records:
                with open(path, "rb") as handle:
                    good = b"".join(line for number, line in enumerate(handle) if number not in bad and line.strip())
                _write_durably(path, good if good.endswith(b"\n") else good + b"\n")
            else:
                path.unlink(missing_ok=True)
        return records

    def _release_dead_claims(self) -> None:
        for path in self._batches(f"*{_SUFFIX}{_CLAIM}*"):
            pid = int(path.name.rsplit("-", 1)[1]) if path.name.rsplit("-", 1)[1].isdigit() else 0
            if pid != os.getpid() and not _alive(pid):
                self.release(path)

    def _journals(self, running: bool) -> list[Path]:
        """The journals of running processes (this one included), or of processes that are gone."""
        if not self.directory.exists():
            return []
        found = self.directory.glob(f"{JOURNAL_PREFIX}*")
        return [p for p in found if (journal_pid(p) == os.getpid() or _alive(journal_pid(p))) == running]

    def _adopt_dead_journals(self) -> None:
        """Makes the journal of each process that is gone a batch (an empty one is deleted)."""
        for path in self._journals(running=False):
            pid = journal_pid(path)
            try:
                if path.stat().st_size == 0:
                    path.unlink()
                else:
                    os.rename(path, self.directory / f"{time.time_ns():020d}-{pid}-journal{_SUFFIX}")
            except FileNotFoundError:
                continue  # another deliverer adopted it


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _safe_text(value: object, show: Callable[[object], str] = str) -> str:
    """`show(value)`, or a placeholder naming its type when that fails."""
    try:
        return show(value)[:100_000]
    except Exception as exc:
        return f"<unprintable {type(value).__name__}: {type(exc).__name__}>"


def _alive(pid: int) -> bool:
    """Whether process `pid` exists and has not ended (a zombie, ended but not yet reaped, has)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Linux's state letter of the process is Z; False where /proc cannot say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3] == b"Z"


def _write_durably(path: Path, data: bytes | bytearray) -> None:
    """Replaces `path` with `data` atomically, on disk before it returns (the temporary file is named for this
    process, so that `Spool.remove_orphans` of another leaves it alone)."""
    tmp = path.with_name(f".{time.time_ns():020d}-{os.getpid()}-{next(_counter)}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
