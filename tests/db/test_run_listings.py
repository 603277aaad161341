"""Lists of runs carry a bounded preview of each run's inputs and outputs with their counts; inspect has them all."""

from __future__ import annotations

import pytest
from sqlalchemy import Table, select

import mltrace
from mltrace.client import Client
from mltrace.db import queries
from mltrace.db.models import pointers, run_inputs, run_outputs
from mltrace.entities import ComponentRun
from mltrace.entities.component_run import PREVIEW_SIZE
from mltrace.errors import InvalidInputError
from tests.factories import run

OUTPUTS = [f"pred/{k:02d}" for k in reversed(range(25))]
INPUTS = [f"features/{k:02d}" for k in range(12)] + ["model.pkl"]


def _batch(client: Client) -> int:
    """A predict run with 13 inputs and 25 outputs, between two small runs; returns its id."""
    _, batch, _ = client.ingest(
        [
            run("train", 0, outputs=["model.pkl"]),
            run("predict", 10, inputs=INPUTS, outputs=OUTPUTS),
            run("report", 20, inputs=["pred/00"], outputs=["report.html"]),
        ]
    )
    return batch


def _first_stored(client: Client, table: Table, run_id: int) -> list[str]:
    """The names of the run's PREVIEW_SIZE pointers with the lowest ids, sorted by name."""
    query = (
        select(pointers.c.name)
        .join(table, table.c.pointer_id == pointers.c.id)
        .where(table.c.run_id == run_id)
        .order_by(pointers.c.id)
        .limit(PREVIEW_SIZE)
    )
    with client.store.read() as conn:
        return sorted(conn.execute(query).scalars())


def _names(run: ComponentRun) -> tuple[list[str], list[str]]:
    return [p.name for p in run.inputs], [p.name for p in run.outputs]


def test_listings_show_the_first_stored_pointers_sorted_by_name_and_count_them_all(client: Client) -> None:
    batch = _batch(client)
    first_inputs, first_outputs = _first_stored(client, run_inputs, batch), _first_stored(client, run_outputs, batch)
    assert len(first_outputs) == PREVIEW_SIZE and set(first_outputs) < set(OUTPUTS)
    (listed,) = [r for r in client.recent(10) if r.id == batch]
    (history,) = client.history("predict")
    (by_id,) = client.store.query(queries.preview_runs, [batch])
    whole = client.get_run(batch)
    for preview in (listed, history, by_id):
        assert _names(preview) == (first_inputs, first_outputs)
        assert (preview.inputs_count, preview.outputs_count) == (13, 25)
        assert preview.is_preview
        assert preview.dependencies == [batch - 1]
        assert preview.outputs == [p for p in whole.outputs if p.name in first_outputs]  # types, hashes, flags


def test_a_run_with_few_pointers_is_listed_whole(client: Client) -> None:
    _batch(client)
    newest, _, oldest = client.recent(3)
    assert (_names(newest), newest.inputs_count, newest.outputs_count) == ((["pred/00"], ["report.html"]), 1, 1)
    assert (_names(oldest), oldest.inputs_count, oldest.outputs_count) == (([], ["model.pkl"]), 0, 1)
    assert not newest.is_preview and not oldest.is_preview


def test_inspect_and_whole_give_every_input_and_output(client: Client) -> None:
    batch = _batch(client)
    inspected = client.get_run(batch)
    assert _names(inspected) == (sorted(INPUTS), sorted(OUTPUTS))
    assert (inspected.inputs_count, inspected.outputs_count) == (13, 25) and not inspected.is_preview
    newest, middle, oldest = client.whole(client.recent(3))
    assert _names(middle) == _names(inspected) and middle.id == batch
    assert [newest.id, oldest.id] == [batch + 1, batch - 1]


def test_runs_by_id_are_whole_in_the_order_asked(client: Client) -> None:
    batch = _batch(client)
    first = client.recent(3)[-1].id
    assert first is not None
    found = client.runs([batch, 2**40, first, 0, 424242])  # ids no run can have, or none has, are left out
    assert [r.id for r in found] == [batch, first]
    assert [p.name for p in found[0].outputs] == sorted(OUTPUTS) and not found[0].is_preview
    with pytest.raises(InvalidInputError, match="run ids must be integers"):
        client.runs([batch, "7"])  # type: ignore[list-item]


def test_the_original_module_api_returns_whole_runs(logging_to: str) -> None:
    client = Client(logging_to)
    batch = _batch(client)
    mltrace.flag_output_id("pred/07", "bad")
    (history,) = mltrace.get_history("predict")
    assert _names(history) == (sorted(INPUTS), sorted(OUTPUTS))
    assert _names(mltrace.get_component_run_information(batch))[1] == sorted(OUTPUTS)
    flagged, ranked = mltrace.review_flagged_outputs()
    assert flagged == ["pred/07"]
    assert [(r.id, len(r.outputs), count) for r, count in ranked if r.id == batch] == [(batch, 25, 1)]
    (listed,) = [r for r, *_ in client.review()["runs"] if r.id == batch]
    assert (len(listed.outputs), listed.outputs_count) == (PREVIEW_SIZE, 25)


def test_listed_pointers_carry_their_flags(client: Client) -> None:
    batch = _batch(client)
    flagged = client.flag("pred/20", "wrong label")
    (listed,) = [r for r in client.recent(10) if r.id == batch]
    (shown,) = [p for p in listed.outputs if p.name == "pred/20"]
    assert (shown.flag, shown.flag_reason, shown.flagged_at) == (True, "wrong label", flagged.flagged_at)
    assert shown.flagged_at is not None and shown.flagged_at.utcoffset() is not None
    assert not any(p.flag for p in listed.outputs if p.name != "pred/20")
    assert [p.value_hash for p in client.get_run(batch).outputs if p.name == "pred/20"] == [shown.value_hash]


def test_paging_through_previews_lists_every_run_once_newest_first(client: Client) -> None:
    records = [
        run(f"step{i % 3}", i // 4 + (i % 4) / 1_000_000, outputs=[f"o/{i}/{k}" for k in range(i)]) for i in range(30)
    ]
    ids = client.ingest(records)
    seen: list[ComponentRun] = []
    page = client.recent(7)
    while page:
        seen += page
        page = client.recent(7, before=(page[-1].start_timestamp, page[-1].id))
    expected = sorted(zip(ids, records, strict=True), key=lambda x: (x[1].start_timestamp, x[0]), reverse=True)
    assert [r.id for r in seen] == [rid for rid, _ in expected]
    assert [r.outputs_count for r in seen] == [len(rec.outputs) for _, rec in expected]
    assert all(len(r.outputs) == min(r.outputs_count, PREVIEW_SIZE) for r in seen)
    assert [r.id for r in client.history("step1", limit=3)] == [r.id for r in seen if r.component_name == "step1"][:3]
