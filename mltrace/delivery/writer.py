"""The background writer: takes captured runs from the decorated call and stores them in batches.

The decorated call only appends to a bounded in-memory queue. A daemon thread drains it into the sink (the
database or the server). When the sink cannot be reached, runs go to the on-disk spool and are delivered
later; runs the sink refuses are set aside one by one. Nothing here raises into user code, and a run that
cannot be kept anywhere is counted and reported: `flush()` then answers False.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import logging
import os
import sys
import threading
import time
import weakref
from typing import Protocol

from mltrace.delivery.gitinfo import fill_git_info, fill_known_git_info, warm_git_info
from mltrace.delivery.journal import Journal
from mltrace.delivery.spool import Spool, SpoolFullError
from mltrace.entities import ComponentRun
from mltrace.errors import RunsRefusedError, StoreUnreachableError

log = logging.getLogger("mltrace")
_SPOOL_COALESCE_S = 1.0  # runs spooled by the writer wait this long for others to share their file
_writers: weakref.WeakSet[BackgroundWriter] = weakref.WeakSet()


class Sink(Protocol):
    """Where runs are stored: a Store or the HTTP client of a server."""

    def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> object:
        """Stores `records` or nothing: raises StoreUnreachableError (try again later) or RunsRefusedError (their
        content). `never_delivered` says no store was ever handed them (none can be stored yet)."""
        ...


class BackgroundWriter:
    """Queue + daemon thread + spool for one sink.

    Where a run can be, from `submit` on: the queue (memory, at most `queue_size`); the overflow (memory, at
    most a batch, then written to the spool by the caller); the batch in the sink; the runs kept in memory
    because the spool could not take them (`_held`, at most `queue_size`, delivered by the thread when the
    store answers); the writer's spool buffer (coalesced into one file); the spool; the store; the rejected
    runs beside the spool; or dropped (counted in `dropped`, reported once, and `flush()` is False). Where
    MLTRACE_JOURNAL asks (by default in a `multiprocessing` child), each run in memory is in the process's journal
    too (`journal.py`).
    """

    def __init__(
        self,
        sink: Sink,
        spool: Spool,
        queue_size: int = 10_000,
        batch_size: int = 5000,
        flush_interval: float = 0.05,
        retry_interval: float = 5.0,
        journal: str = "children",
    ) -> None:
        """`journal`: which processes journal their runs (MLTRACE_JOURNAL: children, always, off)."""
        self.sink = sink
        self.journal_mode = journal
        self.spool = spool
        self.queue_size = queue_size
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.retry_interval = retry_interval
        self.dropped = 0  # runs that could not be kept anywhere
        self.rejected = 0  # runs the store refused, kept beside the spool
        self._queue: collections.deque[ComponentRun] = collections.deque()
        self._thread: threading.Thread | None = None
        self._reset_state()
        _writers.add(self)

    def _reset_state(self) -> None:
        """Fresh locks, buffers and thread state (at creation, and in a forked child)."""
        self._lock = threading.Lock()  # starting the thread, taking a batch, the overflow and held runs
        self._wake = threading.Event()
        self._idle = threading.Condition()
        self._overflow: list[ComponentRun] = []
        self._held: list[ComponentRun] = []
        self._spool_buffer: list[ComponentRun] = []
        self._spool_buffer_since = 0.0
        self._in_hand: list[list[ComponentRun]] = []  # batches the thread took out of the lists above
        self._flush_requests = 0
        self._flushes_done = 0
        self._last_failure = 0.0
        self.store_problem: str | None = None  # why the store last failed to answer; None once it takes runs
        self._spool_checked = False
        self._spool_broken = False
        self._reported_drops = 0
        self._stopped = False
        self._pid = os.getpid()
        self._thread = None
        self._journal: Journal | None = None
        self._journal_lock = threading.Lock()  # appending a run and queueing it, against emptying the journal
        self._journal_failed = False

    # --- called from user code: must be cheap and never raise ------------------
    def submit(self, record: ComponentRun) -> None:
        """Hands a run over; returns at once."""
        try:
            if (self._thread is None or self._stopped or self._pid != os.getpid()) and not self._start():
                self._spool_now([record])  # closed already (at exit): straight to the spool
                return
            if self._journal is None:
                self._enqueue(record)
                return
            with self._journal_lock:  # in the journal and in memory together, as the thread sees them
                self._append_to_journal(record)
                self._enqueue(record)
        except Exception:  # logging must never break the pipeline
            self.dropped += 1
            log.exception("mltrace: could not queue a run of %s", printable(getattr(record, "component_name", "?")))

    def _enqueue(self, record: ComponentRun) -> None:
        """Into the queue, or the overflow when the queue is full."""
        queue = self._queue
        if len(queue) < self.queue_size:
            queue.append(record)
            if self._stopped:  # closed between the check above and the append: `close` may have missed it
                self._persist_memory(stop=True)
            elif (len(queue) == 1 or len(queue) >= self.batch_size) and not self._wake.is_set():
                self._wake.set()  # the first run wakes an idle writer; a full batch is stored at once
            return
        self._overflow_add(record)

    def _append_to_journal(self, record: ComponentRun) -> None:
        """Journals a run (the caller holds the journal lock); a journal that fails is said once (the run stays in
        memory)."""
        journal = self._journal
        if journal is None:  # removed by `close` since the caller looked
            return
        try:
            fill_known_git_info([record])
            journal.append(record)
        except Exception as exc:
            if not self._journal_failed:  # said once, until the journal is emptied
                self._journal_failed = True
                log.warning(
                    "mltrace: could not journal a run (%s); if this process is killed before the writer catches up, "
                    "runs not yet stored are lost",
                    printable(exc),
                )

    def _overflow_add(self, record: ComponentRun) -> None:
        """The writer is behind: keep memory flat by writing full batches to the spool from here."""
        with self._lock:
            self._overflow.append(record)
            if len(self._overflow) < self.batch_size:
                return
            batch, self._overflow = self._overflow, []
            self._in_hand.append(batch)  # counted by `held` while the spool takes it
        try:
            fill_git_info(batch)
            self._set_aside(self.spool.write(batch))
        except OSError as exc:  # the spool cannot take it: the writer delivers it straight to the store
            self._spool_failed(exc)
            self._hold(batch, hand=batch)
            self._wake.set()
        finally:
            self._drop_from_hand(batch)

    def _persist_memory(self, stop: bool) -> int:
        """Writes what memory holds to the spool: the queue, the overflow, held and buffered runs, and a copy of
        what the thread has in hand (it may store those too; the store keeps a run once per key). With `stop`
        the thread takes nothing more and runs that the spool cannot take are dropped (the process is leaving);
        without, they stay in memory. Returns how many runs it wrote or dropped."""
        with self._lock:
            if stop:
                self._stopped = True
            taken = [*self._queue, *self._overflow, *self._held, *self._spool_buffer]
            self._queue.clear()
            self._overflow, self._held, self._spool_buffer = [], [], []
            runs = [record for batch in self._in_hand for record in batch] + taken
        if not runs:
            return 0
        fill_git_info(runs)
        try:
            self._set_aside(self.spool.write(runs))
        except OSError as exc:
            if stop:
                self._drop(runs, f"the spool could not take them at exit ({exc})")
            else:
                self._spool_failed(exc)
                with self._lock:
                    self._held = taken + self._held  # still in memory: the thread delivers them
        return len(runs)

    def _spool_now(self, runs: list[ComponentRun]) -> None:
        fill_git_info(runs)
        try:
            self._set_aside(self.spool.write(runs))
        except OSError as exc:
            self._drop(runs, f"the writer is closed and the spool cannot take them ({exc})")

    def flush(self, timeout: float | None = None) -> bool:
        """Waits until everything submitted so far is stored; False if some runs wait in the spool, or were
        refused or dropped. Batches another live process is delivering from the shared spool are waited for.
        When time is up first, what memory still holds is written to the spool: once `flush` returns, every
        run logged before it is stored, refused, counted as dropped, or in the spool."""
        return self._flush(timeout, persist=True)

    def _flush(self, timeout: float | None, persist: bool) -> bool:
        try:
            if not self._start():
                return False
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                if not self._flush_round(deadline):
                    if persist:
                        self._persist_memory(stop=False)  # time is up: what memory holds is made durable
                    return False
                if self._queue or self._overflow or self._held or self._spool_buffer or self._in_hand:
                    return False
                if self.spool.pending() == 0:
                    return self.dropped == 0 and self.rejected == 0
                if self._last_failure or (deadline is not None and time.monotonic() >= deadline):
                    return False  # the store is away, or time is up: the rest waits in the spool
                time.sleep(0.05)  # another process is delivering a batch; it may also hand it back
        except Exception:
            log.exception("mltrace: flush failed")
            return False

    def held(self) -> int:
        """Runs in memory beyond the queue: the overflow, the batch in the sink, held and buffered runs. A run
        moves from one to another under the lock, so it is counted once (with `dropped`, every run is counted)."""
        with self._lock:
            in_hand = sum(len(batch) for batch in self._in_hand)
            return len(self._overflow) + in_hand + len(self._held) + len(self._spool_buffer)

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
        """Delivers what can be delivered within `timeout`, stops the thread, and spools the rest: the queue,
        the overflow, held runs and the batch the thread is storing right now (it may commit it too; the
        store keeps a run once per key)."""
        if self._thread is None or self._stopped or self._pid != os.getpid():
            return
        self._flush(timeout, persist=False)
        dropped = self.dropped
        left = self._persist_memory(stop=True)
        if self._journal is not None and self.dropped == dropped:  # all stored or spooled: the journal is done
            self._remove_journal()
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(0.1 if left else 1.0)
        try:
            atexit.unregister(self._close_at_exit)
        except Exception:
            pass
        self._report_drops()
        if self.rejected:
            log.error(
                "mltrace: the store refused %d runs; they are kept in %s (mltrace.rejected() lists them)",
                self.rejected,
                self.spool.directory,
            )

    # --- the writer thread ---------------------------------------------------
    def _start(self) -> bool:
        """Starts the thread once (under the lock: threads may race to the first run); False once closed."""
        with self._lock:
            if self._stopped:
                return False
            if self._thread is not None:
                return True
            if self.journal_mode == "always" or (self.journal_mode == "children" and _in_multiprocessing_child()):
                self._journal = self._open_journal()
            self._thread = threading.Thread(target=self._run, name="mltrace-writer", daemon=True)
            self._thread.start()
        atexit.register(self._close_at_exit)
        mp_util = sys.modules.get("multiprocessing.util")
        if mp_util is not None:  # a multiprocessing child leaves by os._exit, without atexit
            mp_util.Finalize(self, close_at_exit, args=(self,), exitpriority=100)
        return True

    def _close_at_exit(self) -> None:
        close_at_exit(self)

    def _open_journal(self) -> Journal | None:
        try:
            return Journal(self.spool.directory, self.spool.max_bytes)
        except OSError as exc:
            log.error("mltrace: could not open a run journal (%s); if this process is killed, runs are lost", exc)
            return None

    def _remove_journal(self) -> None:
        with self._journal_lock:
            journal, self._journal = self._journal, None
        if journal is None:
            return
        try:
            journal.remove()
        except OSError as exc:
            log.warning("mltrace: could not remove the run journal %s (%s)", journal.path, exc)

    def _empty_journal(self) -> None:
        """Empties the journal when no run is in memory: each one is stored or in the spool (or the journal is
        busy, and emptied next time)."""
        journal = self._journal
        if journal is None or not journal.size or not self._journal_lock.acquire(blocking=False):
            return
        try:
            with self._lock:
                if self._stopped or self._queue or self._overflow or self._held or self._spool_buffer or self._in_hand:
                    return
                journal.clear()
                self._journal_failed = False
        except OSError as exc:
            log.warning("mltrace: could not empty the run journal %s (%s)", journal.path, exc)
        finally:
            self._journal_lock.release()

    def _run(self) -> None:
        warm_git_info()
        while not self._stopped:
            self._wake.wait(self._next_wait())
            self._wake.clear()
            with self._idle:
                target = self._flush_requests
            flushing = target > self._flushes_done
            if not flushing and 0 < len(self._queue) < self.batch_size:
                self._wake.wait(self.flush_interval)  # let a batch gather; a full batch or a flush ends the wait
                self._wake.clear()
                with self._idle:
                    target = self._flush_requests
                flushing = target > self._flushes_done
            try:
                self._drain(flushing)
            except Exception:
                log.exception("mltrace: background writer error")
            with self._idle:
                self._flushes_done = max(self._flushes_done, target)
                self._idle.notify_all()

    def _next_wait(self) -> float | None:
        """How long the thread may sleep: until woken when idle, or until a retry or spool write is due."""
        if self._queue:
            return 0
        waits = []
        if self._last_failure and (self._held or self.spool.pending()):
            waits.append(self._last_failure + self.retry_interval - time.monotonic())
        if self._spool_buffer:
            waits.append(self._spool_buffer_since + _SPOOL_COALESCE_S - time.monotonic())
        if self._held and not self._last_failure:
            waits.append(0)
        return max(0.0, min(waits)) if waits else None

    def _drain(self, flushing: bool) -> None:
        while True:
            batch, from_queue = self._take_batch()
            if not batch:
                break
            try:  # straight from the queue, no store was ever handed the batch: its keys need no lookup
                self._deliver(batch, flushing, never_delivered=from_queue)
            finally:
                self._drop_from_hand(batch)
        self._write_spool_buffer(force=flushing)
        self._empty_journal()
        if flushing or not self._spool_checked or self._retry_due():
            self._spool_checked = True
            self.spool.remove_orphans()
            self._deliver_spool()

    def _take_batch(self) -> tuple[list[ComponentRun], bool]:
        """Up to a batch from the queue, else the overflow, else the held runs, now in the thread's hand (where
        `close` finds them); whether it came from the queue."""
        with self._lock:
            if self._stopped:
                return [], False
            if self._queue:
                batch, from_queue = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))], True
            elif self._overflow:
                batch, self._overflow, from_queue = self._overflow, [], False
            else:
                batch, self._held, from_queue = self._held, [], False
            if batch:
                self._in_hand.append(batch)
        return batch, from_queue

    def _drop_from_hand(self, batch: list[ComponentRun]) -> None:
        with self._lock:
            self._release(batch)

    def _release(self, batch: list[ComponentRun] | None) -> None:
        """Takes `batch` out of the thread's hand (nothing if it is not there); the caller holds the lock."""
        if batch is not None:
            self._in_hand = [held for held in self._in_hand if held is not batch]

    def _deliver(self, batch: list[ComponentRun], flushing: bool, never_delivered: bool) -> None:
        """Stores a batch taken from memory, or keeps it for later while the store is away."""
        fill_git_info(batch)
        if self._last_failure and not flushing and not self._retry_due():
            self._keep(batch, hand=batch)
            return
        leftover = self._store(batch, never_delivered)
        if leftover:
            self._keep(leftover, hand=batch)

    def _store(self, batch: list[ComponentRun], never_delivered: bool = False) -> list[ComponentRun]:
        """Stores `batch` in as few attempts as it takes: the runs the store names are set aside with its
        reason, a batch refused without names is stored in halves, down to single runs. Returns the runs left
        when the store became unreachable (none stored, to be kept for later)."""
        parts = [batch]
        first = never_delivered
        while parts:
            part = parts.pop()
            try:
                self.sink.ingest(part, never_delivered=first)
            except StoreUnreachableError as exc:
                self._note_failure(exc)
                return [record for rest in (part, *parts) for record in rest]
            except RunsRefusedError as exc:
                parts += self._split_refused(part, str(exc), exc.reasons)
            except Exception as exc:  # a sink that failed in a way it does not name: a refusal, never a loss
                log.warning(
                    "mltrace: the store failed on a batch of %d runs (%s); storing it in parts", len(part), ascii(exc)
                )
                parts += self._split_refused(part, f"{type(exc).__name__}: {exc}", {})
            first = False  # after a refusal a later part may have been stored meanwhile: keys are checked
        self._last_failure, self.store_problem = 0.0, None
        return []

    def _split_refused(
        self, part: list[ComponentRun], message: str, reasons: dict[int, str]
    ) -> list[list[ComponentRun]]:
        """The parts of a refused batch still to try; sets aside the runs the store named, or a lone run."""
        named = {i: reason for i, reason in reasons.items() if 0 <= i < len(part)}
        if named:
            self._set_aside([(part[i], reason) for i, reason in named.items()])
            rest = [record for i, record in enumerate(part) if i not in named]
            return [rest] if rest else []
        if len(part) == 1:
            self._set_aside([(part[0], message)])
            return []
        return [part[len(part) // 2 :], part[: len(part) // 2]]  # the first half is tried next

    def _deliver_spool(self) -> None:
        """Delivers spooled batches, several small files in one store call."""
        claims = self.spool.claim()
        while True:
            claimed, records = [], []
            for path, batch in claims:
                claimed.append(path)
                records += batch
                if len(records) >= self.batch_size:
                    break
            if not claimed:
                return
            left: list[ComponentRun] = []
            for start in range(0, len(records), self.batch_size):
                left = self._store(records[start : start + self.batch_size])
                if left:
                    break
            if left:
                for path in claimed:
                    self.spool.release(path)  # already-stored runs are skipped by key next time
                return
            for path in claimed:
                self.spool.done(path)

    # --- keeping runs for later ---------------------------------------------------
    def _keep(self, runs: list[ComponentRun], hand: list[ComponentRun] | None = None) -> None:
        """Runs the store cannot take now: to the spool buffer, written as one file every second or so. `hand`:
        the batch they came in, taken out of the thread's hand as they go in (so that no run is counted twice)."""
        if self._spool_broken:
            self._hold(runs, hand)
            return
        with self._lock:
            self._release(hand)
            if not self._spool_buffer:
                self._spool_buffer_since = time.monotonic()
            self._spool_buffer += runs
        self._write_spool_buffer(force=False)

    def _write_spool_buffer(self, force: bool) -> None:
        with self._lock:
            buffer = self._spool_buffer
            due = time.monotonic() - self._spool_buffer_since >= _SPOOL_COALESCE_S
            if not buffer or not (force or due or len(buffer) >= self.batch_size):
                return
            self._spool_buffer = []
            self._in_hand.append(buffer)
        try:
            self._set_aside(self.spool.write(buffer))
            self._spool_broken = False
        except OSError as exc:
            self._spool_failed(exc)
            self._hold(buffer, hand=buffer)
        finally:
            self._drop_from_hand(buffer)

    def _hold(self, runs: list[ComponentRun], hand: list[ComponentRun] | None = None) -> None:
        """Keeps runs the spool could not take in memory, for the thread to deliver straight to the store. While
        the store answers, all of them (they are only waiting for the thread); while it does not, at most
        `queue_size`, and the rest are dropped. `hand`: as for `_keep`."""
        with self._lock:
            self._release(hand)
            room = max(0, self.queue_size - len(self._held)) if self._last_failure else len(runs)
            self._held += runs[:room]
            lost = runs[room:]
            self.dropped += len(lost)
        if lost:
            self._report_lost(len(lost), "the store is unreachable and the spool cannot take them")

    def _spool_failed(self, exc: OSError) -> None:
        if not self._spool_broken:
            log.error("mltrace: could not write the spool (%s); runs wait in memory until the store answers", exc)
        self._spool_broken = not isinstance(exc, SpoolFullError)  # a full spool is tried again as it empties
        if isinstance(exc, SpoolFullError) and not self._reported_drops:
            log.error("mltrace: %s; further runs are dropped while the store is unreachable", exc)

    def _drop(self, runs: list[ComponentRun], why: str) -> None:
        self.dropped += len(runs)
        self._report_lost(len(runs), why)

    def _report_lost(self, count: int, why: str) -> None:
        """Says the first time runs are dropped (`_report_drops` later says how many in all)."""
        if not self._reported_drops:
            log.error("mltrace: could not keep %d runs: %s", count, printable(why))
            self._reported_drops = self.dropped

    def _report_drops(self) -> None:
        if self.dropped > self._reported_drops:
            log.error("mltrace: could not keep %d runs in all (store unreachable, spool unwritable)", self.dropped)
            self._reported_drops = self.dropped

    def _set_aside(self, refused: list[tuple[ComponentRun, str]]) -> None:
        """Keeps refused runs beside the spool with their reason; never raises."""
        for record, reason in refused:
            try:
                self.spool.reject(record, reason)
                self.rejected += 1
                log.error(
                    "mltrace: the store refused a run of %s: %s; kept in %s",
                    printable(getattr(record, "component_name", "?")),
                    printable(reason),
                    self.spool.directory,
                )
            except Exception as exc:
                self._drop([record], f"refused ({reason}) and not writable beside the spool ({exc})")

    # --- failures and retries ------------------------------------------------------
    def _retry_due(self) -> bool:
        return bool(self._last_failure) and time.monotonic() - self._last_failure >= self.retry_interval

    def _note_failure(self, exc: Exception) -> None:
        self.store_problem = printable(str(exc))
        if not self._last_failure:
            where = "memory" if self._spool_broken else str(self.spool.directory)
            log.warning("mltrace: store unreachable (%s); runs wait in %s until it answers", self.store_problem, where)
        self._last_failure = time.monotonic()


def printable(text: object) -> str:
    """`text` fit for any log stream: a lone surrogate (a file name that is not UTF-8) as `\\udcff`."""
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def close_at_exit(writer: BackgroundWriter) -> None:
    """The exit hook: closes `writer` within MLTRACE_EXIT_TIMEOUT; logs, never raises."""
    from mltrace.config import Config

    try:
        writer.close(Config.from_env().exit_timeout)
    except Exception:
        log.exception("mltrace: delivering runs at exit failed")


def _in_multiprocessing_child() -> bool:
    """Whether this process was started by `multiprocessing` (fork, spawn or forkserver)."""
    process = sys.modules.get("multiprocessing.process")
    return process is not None and process.parent_process() is not None


def _reset_after_fork() -> None:
    """In a forked child: no thread, fresh locks, and none of the parent's runs (the parent delivers those)."""
    for writer in list(_writers):
        if writer._journal is not None:
            with contextlib.suppress(OSError):  # the parent's journal: its descriptor only, the file stays the parent's
                writer._journal.close()
        writer._queue = collections.deque()
        writer._reset_state()
        writer.dropped = writer.rejected = 0


os.register_at_fork(after_in_child=_reset_after_fork)
