"""Batches are written in streamed pieces (PostgreSQL builds the COPY text while the server stores the rows
already sent): every run lands exactly once, and a batch that fails anywhere leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mltrace.client import Client
from mltrace.db import postgres
from mltrace.db.bulk import bulk_insert
from mltrace.db.models import dependencies, pointers, run_inputs, run_outputs, runs
from tests.factories import T0, run

BATCH = 3 * postgres._PIECE_ROWS + 7  # several pieces, the last one short


def _chain(n: int, prefix: str = "") -> list:
    """`n` runs, each reading the previous one's output (the first reads a raw file), one with a duplicate input."""
    records = [run("step", 0, inputs=[f"{prefix}raw.csv"], outputs=[f"{prefix}out/0"])]
    for i in range(1, n):
        inputs = [f"{prefix}out/{i - 1}"] * (2 if i == 5 else 1)
        records.append(run("step", 2 * i, inputs=inputs, outputs=[f"{prefix}out/{i}"]))
    return records


def _counts(client: Client) -> dict[str, int]:
    with client.store.read() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (runs, pointers, run_inputs, run_outputs, dependencies)
        }


def test_a_batch_of_many_pieces_stores_every_row_exactly_once(client: Client) -> None:
    records = _chain(BATCH)
    client.ingest(records)
    assert _counts(client) == {
        "component_runs": BATCH,
        "io_pointers": BATCH + 1,  # raw.csv and every output
        "run_inputs": BATCH,  # the duplicate input is stored once
        "run_outputs": BATCH,
        "run_dependencies": BATCH - 1,  # all but the first run depend on their predecessor
    }
    with client.store.read() as conn:
        keys = conn.execute(select(runs.c.key, runs.c.start_ts).order_by(runs.c.id)).all()
    assert [key for key, _ in keys] == [r.key for r in records]  # in order, each once
    assert keys[-1][1] == T0 + timedelta(seconds=2 * (BATCH - 1))
    last = client.history("step", limit=1)[0]
    assert last.dependencies == [last.id - 1]


def test_a_batch_refused_in_its_last_piece_leaves_nothing_of_it(client: Client) -> None:
    stored = run("step", -10, outputs=["before"])
    client.ingest([stored])
    before = _counts(client)
    records = _chain(BATCH, prefix="new/")
    records[-1].key = stored.key  # a key stored already: the unique index refuses the last piece
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        client.store.ingest(records, never_delivered=True)
    assert _counts(client) == before


def test_a_row_that_cannot_be_built_aborts_the_load_with_its_own_error(client: Client) -> None:
    def rows() -> Iterator[tuple]:
        for i in range(BATCH):
            if i == BATCH - 3:
                raise ValueError("no such value")
            yield (i, 1, None, T0)

    with pytest.raises(ValueError, match="no such value"), client.store.write() as conn:
        bulk_insert(conn, run_outputs, ("run_id", "pointer_id", "value_hash", "end_ts"), rows())
    assert _counts(client)["run_outputs"] == 0


def test_missing_values_stay_missing_beside_present_ones(client: Client) -> None:
    client.ingest(
        [
            run("a", 0, outputs=[("hashed", "h1"), "unhashed"], error="failed", notes=""),
            run("b", 1, outputs=["other"], error=None, notes="note"),
        ]
    )
    with client.store.read() as conn:
        named = select(pointers.c.name, run_outputs.c.value_hash).join(
            pointers, pointers.c.id == run_outputs.c.pointer_id
        )
        hashes = dict(conn.execute(named).all())
        errors = dict(conn.execute(select(runs.c.component_name, runs.c.error)).all())
    assert hashes == {"hashed": "h1", "unhashed": None, "other": None}
    assert errors == {"a": "failed", "b": None}
