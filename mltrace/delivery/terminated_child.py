"""A multiprocessing child terminated by its parent keeps its runs.

`Pool.terminate()`, which `with Pool(...)` calls on leaving its block a moment after the last task, and
`Process.terminate()` end a child with SIGTERM, whose default action ends the process at once: neither atexit nor
multiprocessing's finalizers run, and every run the child's writers still held was lost without a word (for a
pool, all of them). So in a multiprocessing child whose SIGTERM still has its default action, the first run logged
from the main thread installs a handler that closes every writer as the exit hook does (delivered within
MLTRACE_EXIT_TIMEOUT, else spooled, where the next process to flush delivers them), then restores the default
action and sends SIGTERM again: the process ends as its parent asked, with the same exit status. Python runs a
signal handler between bytecodes, so a child inside a long call into C code ends when that call returns rather than
at once. Main processes are left alone: there that delay would hold up `docker stop` and the like.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Protocol, TypeVar

log = logging.getLogger("mltrace")
_LOCK_WAIT_S = 1.0
_installed_in: int | None = None


class _Locked(Protocol):
    _lock: threading.Lock


Writer = TypeVar("Writer", bound=_Locked)


def keep_runs_when_terminated(writers: Callable[[], Iterable[Writer]], close: Callable[[Writer], None]) -> None:
    """Installs the SIGTERM handler described above, once per process, when this is a multiprocessing child, this
    thread is the main thread and SIGTERM has its default action; otherwise does nothing."""
    global _installed_in
    multiprocessing = sys.modules.get("multiprocessing")  # a multiprocessing child has imported it
    if _installed_in == os.getpid() or multiprocessing is None or multiprocessing.parent_process() is None:
        return
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return  # the program handles SIGTERM itself
    _installed_in = os.getpid()

    def on_terminate(signum: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            for writer in list(writers()):
                # the handler runs in the main thread: if the signal came while this thread held the writer's lock,
                # closing would wait for itself without end
                if not writer._lock.acquire(timeout=_LOCK_WAIT_S):
                    log.error("mltrace: terminated while logging a run: the runs in memory could not be kept")
                    continue
                writer._lock.release()
                close(writer)
        finally:
            os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, on_terminate)
