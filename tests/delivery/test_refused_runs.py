"""A run the store refuses for its content never blocks the others and is kept aside."""

from __future__ import annotations

import json
import math
from pathlib import Path

from mltrace.client import Client
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
    assert client.flush(30) is True
    assert len(client.history("fine")) == 5
    if client.store.dialect == "postgresql":
        (rejected,) = list(mltrace_home.glob("spool/*/.rejected.ndjson"))
        entry = json.loads(rejected.read_text().splitlines()[0])
        assert entry["run"]["component"] == too_long and entry["error"]


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
