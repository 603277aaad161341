"""A run the store refuses for its content never blocks the others and is kept aside."""

from __future__ import annotations

import json
import math
from pathlib import Path

from mltrace.client import Client
from mltrace.config import Config
from mltrace.delivery.spool import Spool
from mltrace.delivery.writer import BackgroundWriter
from mltrace.entities import ComponentRun
from mltrace.errors import StoreUnreachableError
from tests.factories import run


def test_non_finite_metrics_are_stored_as_strings(client: Client) -> None:
    client.ingest([run("train", 0, metrics={"loss": math.nan, "auc": 0.9, "best": math.inf}, params={"t": (1, 2)})])
    (stored,) = client.history("train")
    assert stored.metrics == {"loss": "NaN", "auc": 0.9, "best": "Infinity"}
    assert stored.params == {"t": [1, 2]}


def test_a_refused_run_is_set_aside_and_the_rest_of_its_batch_is_stored(client: Client, mltrace_home: Path) -> None:
    too_long = "c" * 300  # longer than a component name may be
    good = [run("fine", i, outputs=[f"o{i}"]) for i in range(5)]
    client.ingest([good[0]])  # the schema exists; now a batch that PostgreSQL refuses as a whole
    for record in [*good[1:3], run(too_long, 10), *good[3:]]:
        client.submit(record)
    assert client.flush(30) is False  # one run was refused
    assert len(client.history("fine")) == 5
    (rejected,) = list(mltrace_home.glob("spool/*/.rejected.ndjson"))  # on both databases alike
    entry = json.loads(rejected.read_text().splitlines()[0])
    assert entry["run"]["component"] == too_long and "300 characters" in entry["error"]


def test_a_run_submitted_again_after_it_was_stored_is_stored_once_and_its_batch_kept(
    client: Client, mltrace_home: Path
) -> None:
    first = run("train", 0, outputs=["model.pkl"])
    client.submit(first)
    assert client.flush(30) is True
    later = run("predict", 5, inputs=["model.pkl"], outputs=["pred/1"])
    client.submit(first)  # the same key again, in the writer's next batch
    client.submit(later)
    assert client.flush(30) is True
    assert [r.component_name for r in client.recent(10)] == ["predict", "train"]
    (stored_later,) = client.history("predict")
    assert stored_later.dependencies == [client.history("train")[0].id]
    assert not list(mltrace_home.glob("spool/*/.rejected.ndjson"))


def test_a_few_refused_runs_in_a_large_batch_cost_a_few_attempts(postgres_uri: str, mltrace_home: Path) -> None:
    client = Client(postgres_uri, config=Config.from_env())
    attempts: list[int] = []

    class CountingSink:
        def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> object:
            attempts.append(len(records))
            return client.store.ingest(records, never_delivered)

    spool = Spool(mltrace_home / "counted-spool")
    writer = BackgroundWriter(CountingSink(), spool, batch_size=256)
    records = [run("fine", i, outputs=[f"o{i}"]) for i in range(256)]
    for bad in (37, 200):
        records[bad] = run("c" * 300, bad)  # longer than a component name may be
    for record in records:
        writer.submit(record)
    assert writer.flush(60) is False  # two runs were refused
    assert writer.rejected == 2
    assert len(client.history("fine")) == 254
    rejected = (spool.directory / ".rejected.ndjson").read_text().splitlines()
    assert sorted(json.loads(line)["run"]["start"] for line in rejected) == sorted(
        records[bad].start_timestamp.isoformat() for bad in (37, 200)
    )
    assert attempts[0] == 256
    assert len(attempts) <= 1 + 2 * 2 * 8  # then two halves of each refused part: at most 2 parts a level, 8 levels


def test_a_store_lost_while_a_refused_batch_is_split_loses_nothing(mltrace_home: Path) -> None:
    class RefusingThenUnreachable:
        calls = 0

        def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> object:
            self.calls += 1
            if self.calls == 1:
                raise ValueError("a run the store cannot take")
            raise StoreUnreachableError("the store went away")

    spool = Spool(mltrace_home / "lost-spool")
    writer = BackgroundWriter(RefusingThenUnreachable(), spool, batch_size=40, retry_interval=60)
    records = [run("fine", i) for i in range(40)]
    for record in records:
        writer.submit(record)
    assert writer.flush(5) is False  # kept for later, not stored
    spooled = [record.key for _claimed, batch in spool.claim() for record in batch]
    assert sorted(spooled) == sorted(record.key for record in records)
    assert not (spool.directory / ".rejected.ndjson").exists()
