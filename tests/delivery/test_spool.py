"""The spool: atomic batches, one owner per batch, nothing lost, each run stored once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

from mltrace.client import Client
from mltrace.delivery.spool import Spool, spool_dir_for
from tests.factories import run


def test_batches_round_trip_and_claims_are_exclusive(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    records = [run("a", i, inputs=[("x", "h")], outputs=["ü/y"], params={"lr": 0.1}) for i in range(3)]
    spool.write(records)
    assert spool.pending() == 1
    (claimed, read), *rest = list(spool.claim())
    assert rest == [] and [r.key for r in read] == [r.key for r in records]
    assert read[0] == records[0]
    assert list(Spool(tmp_path / "spool").claim()) == []  # already owned
    spool.release(claimed)
    assert spool.pending() == 1
    ((claimed, _),) = list(spool.claim())
    spool.done(claimed)
    assert spool.pending() == 0


def test_a_claim_of_a_dead_process_is_released(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.write([run("a", 0)])
    (path,) = list(tmp_path.glob("*.jsonl"))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    os.rename(path, path.with_name(f"{path.name}.claimed-{dead.stdout.strip()}"))
    assert [len(records) for _, records in spool.claim()] == [1]


def test_unreadable_lines_are_kept_aside_not_lost(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.write([run("a", 0)])
    (path,) = list(tmp_path.glob("*.jsonl"))
    with open(path, "a") as handle:
        handle.write("{not json\n")
    ((_, records),) = list(spool.claim())
    assert len(records) == 1
    (corrupt,) = list(tmp_path.glob(".corrupt-*"))
    assert corrupt.read_text() == "{not json\n"


def test_a_batch_put_back_holds_only_its_readable_runs(tmp_path: Path, caplog) -> None:
    spool = Spool(tmp_path)
    spool.write([run("a", 0)])
    (path,) = list(tmp_path.glob("*.jsonl"))
    with open(path, "a") as handle:
        handle.write("{not json\n")
    ((claimed, _),) = list(spool.claim())
    spool.release(claimed)  # the store did not answer: the batch waits for the next delivery
    assert spool.waiting() == (1, 1)  # the unreadable line is not counted as a run that waits
    caplog.clear()
    ((_, records),) = list(spool.claim())
    assert len(records) == 1
    assert "unreadable" not in caplog.text  # said once, when it was kept aside
    (corrupt,) = list(tmp_path.glob(".corrupt-*"))
    assert corrupt.read_text() == "{not json\n"


def test_a_batch_of_unreadable_lines_only_leaves_no_batch_behind(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    (tmp_path / f"{0:020d}-1-0.jsonl").write_text("{not json\n")
    ((claimed, records),) = list(spool.claim())
    assert records == []
    spool.release(claimed)
    assert spool.waiting() == (0, 0)
    assert [p.name for p in tmp_path.iterdir()] == [".corrupt-00000000000000000000-1-0.ndjson"]


def test_two_processes_draining_one_spool_store_each_run_once(db_uri: str, mltrace_home: Path) -> None:
    spool = Spool(spool_dir_for(mltrace_home, db_uri))
    expected = 0
    for batch in range(40):
        spool.write([run("spooled", batch * 100 + i, outputs=[f"o{batch}/{i}"]) for i in range(25)])
        expected += 25
    Client(db_uri).store.ensure_ready()
    script = textwrap.dedent(f"""
        import sys
        from mltrace.client import Client
        sys.exit(0 if Client({db_uri!r}).flush(120) else 3)
    """)
    env = {"MLTRACE_HOME": str(mltrace_home), "PATH": "/usr/bin:/bin"}
    procs = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    stored = Client(db_uri).history("spooled")
    assert len(stored) == expected
    assert len({(r.start_timestamp, r.outputs[0].name) for r in stored}) == expected
    assert spool.pending() == 0


def test_writing_a_batch_holds_about_its_json_in_memory(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    records = [run("a", i, outputs=[f"out/{i}.csv"], params={"lr": 0.1}) for i in range(5_000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        spool.write(records)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    (path,) = list(tmp_path.glob("*.jsonl"))
    assert peak < 3 * path.stat().st_size  # each line held whole until joined: 17 times its size
