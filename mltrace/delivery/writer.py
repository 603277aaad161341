"""The background writer: takes captured runs from the decorated call and stores them in batches.

The decorated call only appends to a bounded in-memory queue. A daemon thread drains it
into the sink (the database or the server); when the sink fails, batches go to the on-disk
spool and are delivered later. Nothing here ever raises into user code.
"""

from __future__ import annotations

import atexit
import collections
import logging
import os
import threading
import time
from typing import Protocol

from mltrace.delivery.gitinfo import fill_git_info
from mltrace.delivery.spool import Spool
from mltrace.entities import RunRecord

log = logging.getLogger("mltrace")


class Sink(Protocol):
    """Where runs are stored: a Store or the HTTP client of a server."""

    def ingest(self, records: list[RunRecord], never_delivered: bool = False) -> object:
        """Stores `records`; `never_delivered` says no store was ever handed them (none can be stored yet)."""
        ...


class BackgroundWriter:
    """Queue + daemon thread + spool for one sink."""

    def __init__(
        self,
        sink: Sink,
        spool: Spool,
        queue_size: int = 10_000,
        batch_size: int = 5000,
        flush_interval: float = 0.05,
        retry_interval: float = 5.0,
    ) -> None:
        self.sink = sink
        self.spool = spool
        self.queue_size = queue_size
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.retry_interval = retry_interval
        self._queue: collections.deque[RunRecord] = collections.deque()
        self._overflow: list[RunRecord] = []
        self._overflow_lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Condition()
        self._flush_requests = 0
        self._flushes_done = 0
        self._busy = False
        self._last_failure = 0.0
        self._spool_checked = False
        self._pid = os.getpid()
        self._thread: threading.Thread | None = None
        self._stopped = False

    # --- called from user code: must be cheap and never raise ------------------
    def submit(self, record: RunRecord) -> None:
        """Hands a run over; returns at once."""
        try:
            if self._thread is None or self._pid != os.getpid():
                self._start()
            if len(self._queue) < self.queue_size:
                self._queue.append(record)
                if len(self._queue) >= self.batch_size and not self._wake.is_set():
                    self._wake.set()  # a full batch is waiting (checked first: setting takes a lock)
                return
            with self._overflow_lock:  # the writer is behind: keep memory flat, go to disk
                self._overflow.append(record)
                if len(self._overflow) >= self.batch_size:
                    batch, self._overflow = self._overflow, []
                    self.spool.write(batch)
        except Exception:  # logging must never break the pipeline
            log.exception("mltrace: could not queue a run")

    def flush(self, timeout: float | None = None) -> bool:
        """Waits until everything submitted so far is stored; False if some runs remain in the spool.

        Batches another live process is delivering from the shared spool are waited for too.
        """
        try:
            if self._thread is None or self._pid != os.getpid():
                self._start()
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                if not self._flush_round(deadline):
                    return False
                if self._queue or self._overflow:
                    return False
                if self.spool.pending() == 0:
                    return True
                if self._last_failure or (deadline is not None and time.monotonic() >= deadline):
                    return False  # the store is away, or time is up: the rest waits in the spool
                time.sleep(0.05)  # another process is delivering a batch; it may also hand it back
        except Exception:
            log.exception("mltrace: flush failed")
            return False

    def _flush_round(self, deadline: float | None) -> bool:
        """Asks the writer thread for one full drain; False if the deadline passed first."""
        with self._idle:
            self._flush_requests += 1
            wanted = self._flush_requests
            self._wake.set()
            while self._flushes_done < wanted:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining if remaining is not None else 1.0)
        return True

    def close(self, timeout: float) -> None:
        """At exit: deliver what can be delivered within `timeout`, spool the rest."""
        if self._thread is None or self._pid != os.getpid():
            return
        self.flush(timeout)
        self._stopped = True
        leftovers = []
        while self._queue:
            leftovers.append(self._queue.popleft())
        with self._overflow_lock:
            leftovers.extend(self._overflow)
            self._overflow = []
        try:
            self.spool.write(leftovers)
        except Exception:
            log.exception("mltrace: could not spool %d runs at exit", len(leftovers))

    # --- the writer thread ---------------------------------------------------
    def _start(self) -> None:
        self._pid = os.getpid()
        self._queue = collections.deque(self._queue) if self._thread is None else collections.deque()
        self._thread = threading.Thread(target=self._run, name="mltrace-writer", daemon=True)
        self._thread.start()
        atexit.register(_close_at_exit, self)

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            with self._idle:
                target = self._flush_requests
            try:
                self._drain(flushing=target > self._flushes_done)
            except Exception:
                log.exception("mltrace: background writer error")
            with self._idle:
                self._flushes_done = max(self._flushes_done, target)
                self._idle.notify_all()

    def _drain(self, flushing: bool) -> None:
        while self._queue:
            batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
            self._deliver(batch, flushing)
        with self._overflow_lock:
            batch, self._overflow = self._overflow, []
        if batch:
            self.spool.write(batch)
        if flushing or not self._spool_checked or self._store_up_again():
            self._spool_checked = True
            self._deliver_spool()

    def _deliver(self, batch: list[RunRecord], flushing: bool) -> None:
        fill_git_info(batch)
        if not flushing and self._recently_failed():
            self.spool.write(batch)
            return
        try:
            self.sink.ingest(batch, never_delivered=True)  # straight from the queue: first attempt
            self._last_failure = 0.0
        except Exception as exc:
            if is_unreachable(exc):
                self._note_failure(exc)
                self.spool.write(batch)
            else:
                self._deliver_refused(batch)

    def _deliver_spool(self) -> None:
        for claimed, records in self.spool.claim():
            try:
                for start in range(0, len(records), self.batch_size):
                    chunk = records[start : start + self.batch_size]
                    try:
                        self.sink.ingest(chunk)
                    except Exception as exc:
                        if is_unreachable(exc):
                            raise
                        self._deliver_refused(chunk)
            except Exception as exc:
                self._note_failure(exc)
                self.spool.release(claimed)  # already-stored runs are skipped by key next time
                return
            self.spool.done(claimed)
            self._last_failure = 0.0

    def _deliver_refused(self, batch: list[RunRecord]) -> None:
        """A batch the store refused for its content: store it in halves, the halves of a refused half, and so
        on, and set aside the runs it refuses alone. A few bad runs among thousands cost a few dozen attempts,
        not one transaction per run."""
        parts = [batch[len(batch) // 2 :], batch[: len(batch) // 2]]  # the whole batch was refused already
        while parts:
            part = parts.pop()
            if not part:
                continue
            try:
                self.sink.ingest(part)
            except Exception as exc:
                if is_unreachable(exc):
                    self._note_failure(exc)
                    self.spool.write([record for rest in (part, *parts) for record in rest])
                    return
                if len(part) > 1:
                    parts += [part[len(part) // 2 :], part[: len(part) // 2]]  # first half next
                    continue
                (record,) = part
                log.error(
                    "mltrace: the store refused a run of %s (%s); kept in %s",
                    record.component,
                    exc,
                    self.spool.directory,
                )
                self.spool.reject(record, exc)

    def _recently_failed(self) -> bool:
        return self._last_failure and time.monotonic() - self._last_failure < self.retry_interval  # type: ignore[return-value]

    def _store_up_again(self) -> bool:
        return bool(self._last_failure) and not self._recently_failed()

    def _note_failure(self, exc: Exception) -> None:
        if not self._last_failure:
            log.warning(
                "mltrace: store unreachable (%s); runs are kept in %s", exc.__class__.__name__, self.spool.directory
            )
        self._last_failure = time.monotonic()


def is_unreachable(exc: BaseException) -> bool:
    """Whether a delivery failed because the store could not be reached (retry later) rather than
    because it refused the data (retrying would fail forever)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    from mltrace.delivery.http_sink import ServerError

    if isinstance(exc, ServerError):
        return getattr(exc, "status", 503) >= 500
    if isinstance(exc, OperationalError):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated)
    return isinstance(exc, (OSError, TimeoutError))


def _close_at_exit(writer: BackgroundWriter) -> None:
    from mltrace.config import Config

    try:
        writer.close(Config.from_env().exit_timeout)
    except Exception:
        pass
