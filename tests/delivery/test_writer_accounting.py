"""Every run handed to the writer is, at any moment, in exactly one place: the queue, memory beyond it (`held`),
the spool, or counted as dropped; a run is never counted twice or not at all while it moves between them."""

from __future__ import annotations

import threading
from pathlib import Path

from mltrace.delivery.spool import Spool
from mltrace.delivery.writer import BackgroundWriter
from mltrace.entities import ComponentRun
from mltrace.errors import StoreUnreachableError
from tests.factories import run


class UnreachableSink:
    """A store that cannot be reached."""

    def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> object:
        raise StoreUnreachableError("the store is down")


class SlowSpool(Spool):
    """A spool on a full disk, whose writes from `slow_thread` first wait until `go` is set (a slow disk)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.slow_thread: threading.Thread | None = None
        self.go = threading.Event()
        self.writing = threading.Event()

    def write(self, records: list[ComponentRun]) -> list[tuple[ComponentRun, str]]:
        if threading.current_thread() is self.slow_thread:
            self.writing.set()
            self.go.wait(10)
        raise OSError(28, "No space left on device")


def test_runs_being_written_to_the_spool_are_counted_while_the_write_lasts(tmp_path: Path) -> None:
    spool = SlowSpool(tmp_path / "spool")
    writer = BackgroundWriter(UnreachableSink(), spool, queue_size=100, batch_size=100, retry_interval=60)
    handed = 0

    def submit_all() -> None:
        nonlocal handed
        for i in range(1_000):
            handed += 1  # before the call: the run is the writer's from inside it on
            writer.submit(run("step", i))

    caller = threading.Thread(target=submit_all)
    spool.slow_thread = caller
    caller.start()
    try:
        assert spool.writing.wait(10)  # the caller writes a batch of overflow, and waits for the disk
        for _ in range(200):
            assert writer.dropped + len(writer._queue) + writer.held() == handed
    finally:
        spool.go.set()
        caller.join(10)
    assert writer.flush(1) is False
    assert writer.dropped > 0
    assert writer.dropped + len(writer._queue) + writer.held() == 1_000
    writer.close(1)
