"""The run journal of a process: each run it logs, appended to a file in the spool folder (MLTRACE_JOURNAL says which
processes keep one: by default `multiprocessing` children).

Such a child is often ended with no chance to run Python: `with Pool(...)` terminates its workers by SIGTERM on
exit, and the kernel's OOM killer sends SIGKILL. The runs its writer still held in memory would be lost. So a
child's writer also appends every run to its journal as it is logged: one write(2) into the page cache, which
outlives the process. It costs a call there more than the call itself (`python -m bench call`, medians of three
rounds: 35 µs a call in a child, 15 µs in a main process), mostly writing the run as JSON
(`spool_lines.encode_line`), not the write itself. The writer empties the journal whenever it holds no run
in memory, and removes it at a clean exit; a writer far behind its process fills it to the spool's largest size
(MLTRACE_SPOOL_MAX_MB), says so once, and journals again once it has caught up. A journal whose process is gone is
turned into an ordinary spool batch by the next deliverer (`Spool.claim`); a run stored both ways is kept once, by
its key.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from mltrace.delivery.spool_lines import encode_line
from mltrace.entities import ComponentRun

JOURNAL_PREFIX = ".journal-"  # a dot-file: not a batch until its process is gone


def journal_pid(path: Path) -> int:
    """The process a journal file belongs to (0 when the name holds none)."""
    pid = path.name[len(JOURNAL_PREFIX) :].split("-")[0]
    return int(pid) if pid.isdigit() else 0


class JournalFullError(OSError):
    """The journal holds its largest size (the spool's, MLTRACE_SPOOL_MAX_MB) until the writer empties it."""


class Journal:
    """One process's append-only journal file (unbuffered: a killed process leaves whole lines behind)."""

    def __init__(self, directory: Path, max_bytes: int | None = None) -> None:
        """`max_bytes`: the largest size; a writer far behind its process fills it before it empties it."""
        self.max_bytes = max_bytes
        directory.mkdir(parents=True, exist_ok=True)
        # the time keeps a reused pid from appending to, and emptying, a dead process's journal
        self.path = directory / f"{JOURNAL_PREFIX}{os.getpid()}-{time.time_ns()}"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.size = 0

    def append(self, record: ComponentRun) -> None:
        """Adds the run as one line; OSError (a full disk, JournalFullError) leaves the journal as it was."""
        line = encode_line(record) + b"\n"
        if self.max_bytes is not None and self.size + len(line) > self.max_bytes:
            raise JournalFullError(f"the run journal holds {self.max_bytes:,} bytes already")
        written = os.write(self._fd, line)
        if written != len(line):  # a short write on a full disk: cut the half line off again
            os.ftruncate(self._fd, self.size)
            raise OSError(f"the journal took {written} of {len(line)} bytes")
        self.size += written

    def clear(self) -> None:
        """Empties the journal (its runs are stored or spooled)."""
        os.ftruncate(self._fd, 0)
        self.size = 0

    def close(self) -> None:
        """Closes this process's descriptor and leaves the file (a forked child closes its parent's journal)."""
        os.close(self._fd)

    def remove(self) -> None:
        """Closes and deletes the journal."""
        self.close()
        self.path.unlink(missing_ok=True)
