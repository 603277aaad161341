"""The spool on a real read-only or full disk, many small writes, and its cap: overflow goes straight to a
healthy store, and runs that truly cannot be kept are counted, reported once, and make `flush()` False."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from mltrace.client import Client
from mltrace.config import Config
from mltrace.delivery.spool import Spool
from mltrace.delivery.writer import BackgroundWriter
from mltrace.entities import ComponentRun
from tests.factories import run
from tests.faults import read_only_disk, small_disk, spooled_runs
from tests.ports import free_port


class GatedSink:
    """The real store behind a gate: `ingest` waits while the gate is shut (a slow store), then stores."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.open = False

    def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> object:
        while not self.open:
            time.sleep(0.01)
        return self.client.store.ingest(records, never_delivered)


def test_overflow_is_delivered_directly_when_the_spool_is_read_only(
    db_uri: str, tmp_path: Path, mltrace_home: Path
) -> None:
    client = Client(db_uri)
    client.store.ensure_ready()
    with read_only_disk(tmp_path / "ro") as home:
        sink = GatedSink(client)
        writer = BackgroundWriter(sink, Spool(home / "spool"), queue_size=100, batch_size=100)
        records = [run("overflow", i) for i in range(2_000)]
        for record in records:
            writer.submit(record)  # the writer is held up: most of these overflow, and the spool refuses them
        sink.open = True
        assert writer.flush(60) is True
    assert len(client.history("overflow", limit=None)) == 2_000


def test_runs_that_cannot_be_kept_anywhere_are_counted_reported_once_and_flush_is_false(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"  # nothing listens there
    with read_only_disk(tmp_path / "ro") as home, caplog.at_level(logging.ERROR, logger="mltrace"):
        config = Config.from_env({"MLTRACE_HOME": str(home), "MLTRACE_QUEUE_SIZE": "100", "MLTRACE_BATCH_SIZE": "100"})
        client = Client(down, config=config)
        for i in range(1_000):
            client.submit(run("lost", i))
        assert client.flush(5) is False
        writer = client.writer
        assert writer.dropped > 0
        assert writer.dropped + len(writer._queue) + writer.held() == 1_000  # every run accounted for
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("could not keep" in message for message in errors)
    assert not any("runs are kept in" in r.getMessage() for r in caplog.records)


def test_a_full_spool_disk_drops_loudly_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    with small_disk(tmp_path / "small", 256) as home:
        config = Config.from_env({"MLTRACE_HOME": str(home), "MLTRACE_QUEUE_SIZE": "200", "MLTRACE_BATCH_SIZE": "200"})
        client = Client(down, config=config)
        code = "x = 1\n" * 2_000  # a code snapshot of 12 kB: the disk holds about 20 runs
        for i in range(400):
            client.submit(run("big", i, code_snapshot=code))
        assert client.flush(5) is False
        assert client.writer.dropped > 0
        assert not list(home.glob("spool/*/.*.tmp"))


def test_temporary_files_left_by_a_dead_writer_are_removed_on_start(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    spool.directory.mkdir(parents=True)
    orphan = spool.directory / f".{time.time_ns():020d}-999999999-0.tmp"
    orphan.write_text("half a batch")
    mine = spool.directory / f".{time.time_ns():020d}-{os.getpid()}-0.tmp"
    mine.write_text("being written by this process")
    spool.remove_orphans()
    assert not orphan.exists() and mine.exists()


def test_runs_spooled_a_few_at_a_time_are_coalesced_into_few_files(tmp_path: Path) -> None:
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    config = Config.from_env(
        {"MLTRACE_HOME": str(tmp_path), "MLTRACE_FLUSH_INTERVAL": "0.01", "MLTRACE_RETRY_INTERVAL": "60"}
    )
    client = Client(down, config=config)
    for i in range(3_000):  # a few runs at every wake-up of the writer
        client.submit(run("trickle", i))
        if i % 30 == 0:
            time.sleep(0.01)
    client.flush(5)
    files = list(tmp_path.glob("spool/*/*.jsonl"))
    assert len(spooled_runs(tmp_path)) == 3_000
    assert len(files) <= 5, len(files)


def test_past_the_spool_cap_runs_are_dropped_loudly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    config = Config.from_env({"MLTRACE_HOME": str(tmp_path), "MLTRACE_SPOOL_MAX_MB": "1", "MLTRACE_QUEUE_SIZE": "100"})
    client = Client(down, config=config)
    with caplog.at_level(logging.ERROR, logger="mltrace"):
        for i in range(5_000):
            client.submit(run("capped", i, code_snapshot="y = 2\n" * 100))  # 600 bytes each: 3 MB in all
        assert client.flush(5) is False
    assert 0 < client.writer.dropped < 5_000
    spooled = sum(p.stat().st_size for p in tmp_path.glob("spool/*/*.jsonl"))
    assert spooled <= 1.2 * 2**20
    assert any("spool is full" in r.getMessage() for r in caplog.records)
