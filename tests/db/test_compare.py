"""Runs side by side: rows a value per run, differing rows first, step series sampled, a fixed number of queries."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from sqlalchemy import event, insert

from mltrace.client import Client
from mltrace.db.models import run_metric_steps
from mltrace.errors import InvalidInputError, NotFoundError
from tests.factories import T0, run


def _steps(client: Client, run_id: int, key: str, values: list[float | None]) -> None:
    """Points of a step series, written directly (nothing in this version logs them yet)."""
    rows = [{"run_id": run_id, "key": key, "step": step, "num": v, "ts": T0} for step, v in enumerate(values)]
    with client.store.engine.begin() as conn:
        conn.execute(insert(run_metric_steps), rows)


def _three(client: Client) -> list[int]:
    return client.ingest(
        [
            run(
                "train",
                0,
                inputs=[("data/train.csv", "h1")],
                params={"lr": 0.1, "model": "resnet18", "epochs": 3},
                metrics={"accuracy": 0.9, "loss": 0.3},
                code_hash="c1",
                git_hash="g1",
            ),
            run(
                "train",
                10,
                inputs=[("data/train.csv", "h2")],
                params={"lr": 0.01, "model": "resnet18", "epochs": 3.0},
                metrics={"accuracy": 0.93, "loss": 0.2},
                code_hash="c1",
                git_hash="g1",
            ),
            run(
                "train",
                20,
                inputs=[("data/train.csv", "h2"), "data/extra.csv"],
                params={"lr": 0.01, "model": "resnet18", "epochs": 3, "dropout": True},
                metrics={"accuracy": 0.95, "loss": float("nan")},
                code_hash="c2",
                git_hash="g1",
                status="failed",
            ),
        ]
    )


def _row(comparison, group: str, key: str):  # type: ignore[no-untyped-def]
    (found,) = [row for row in comparison.rows if (row.group, row.key) == (group, key)]
    return found


def test_rows_hold_a_value_per_run_and_say_which_differ(client: Client) -> None:
    ids = _three(client)
    found = client.compare(list(reversed(ids)))
    assert [r.id for r in found.runs] == list(reversed(ids))
    lr = _row(found, "params", "lr")
    assert lr.values == [0.01, 0.01, 0.1] and lr.differs
    assert not _row(found, "params", "model").differs
    assert not _row(found, "params", "epochs").differs  # 3 and 3.0 are the same number
    assert _row(found, "params", "dropout").values == [True, None, None]
    assert _row(found, "metrics", "loss").differs
    assert _row(found, "run", "code_hash").values == ["c2", "c1", "c1"]
    assert not _row(found, "run", "git_commit").differs and not _row(found, "run", "component").differs
    assert _row(found, "run", "status").values == ["failed", "success", "success"]
    assert _row(found, "inputs", "data/train.csv").values == ["h2", "h2", "h1"]
    assert _row(found, "inputs", "data/extra.csv").values == [True, None, None]


def test_differing_rows_come_first_then_by_group_and_key(client: Client) -> None:
    found = client.compare(_three(client))
    flags = [row.differs for row in found.rows]
    assert flags == sorted(flags, reverse=True) and found.differing == flags.count(True)
    differing = [(row.group, row.key) for row in found.rows if row.differs]
    assert differing == [
        ("params", "dropout"),
        ("params", "lr"),
        ("metrics", "accuracy"),
        ("metrics", "loss"),
        ("run", "code_hash"),
        ("run", "status"),
        ("inputs", "data/extra.csv"),
        ("inputs", "data/train.csv"),
    ]
    identical = [(row.group, row.key) for row in found.rows if not row.differs]
    assert identical == [
        ("params", "epochs"),
        ("params", "model"),
        ("run", "component"),
        ("run", "duration_ms"),
        ("run", "git_commit"),
    ]


def test_nan_equals_nan_and_booleans_are_not_numbers(client: Client) -> None:
    ids = client.ingest([run("t", i, params={"flag": value, "x": math.nan}) for i, value in enumerate([True, 1])])
    found = client.compare(ids)
    assert _row(found, "params", "flag").differs
    x = _row(found, "params", "x")
    assert not x.differs and x.values == ["NaN", "NaN"]  # as runs carry it (strict JSON)


def test_step_series_are_listed_per_key_and_run_and_sampled_to_the_points_asked(client: Client) -> None:
    ids = _three(client)
    _steps(client, ids[0], "loss", [1.0 / (s + 1) for s in range(1000)])
    _steps(client, ids[2], "loss", [0.5, None, 0.25])
    _steps(client, ids[2], "acc", [0.1, 0.2])
    found = client.compare(ids, points=50)
    assert [m.key for m in found.series] == ["acc", "loss"]
    (acc,) = found.series[0].runs
    assert (acc.run_id, acc.steps, acc.values, acc.count) == (ids[2], [0, 1], [0.1, 0.2], 2)
    long, short = found.series[1].runs
    assert (long.run_id, long.count) == (ids[0], 1000) and short.run_id == ids[2]
    assert len(long.steps) <= 50 and long.steps[0] == 0 and long.steps[-1] == 999
    assert long.steps == sorted(long.steps) and long.values[1] == 1.0 / (long.steps[1] + 1)
    gaps = {b - a for a, b in zip(long.steps[:-2], long.steps[1:-1], strict=True)}
    assert gaps == {21}  # ceil(1000 / 49): evenly spaced, then the last point
    assert short.steps == [0, 1, 2] and math.isnan(short.values[1])
    whole = client.compare(ids, points=1000).series[1].runs[0]
    assert whole.steps == list(range(1000))


@pytest.fixture
def statements(client: Client) -> Iterator[list[str]]:
    """The SQL statements the client's engine runs while the test does."""
    seen: list[str] = []
    engine = client.store.engine

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_fifty_runs_cost_as_many_queries_as_two(client: Client, statements: list[str]) -> None:
    ids = client.ingest([run("train", i, params={"lr": i}, metrics={"loss": 1 / (i + 1)}) for i in range(50)])
    for run_id in ids:
        _steps(client, run_id, "loss", [0.5, 0.4, 0.3])
    client.compare(ids[:2])
    statements.clear()
    client.compare(ids[:2])
    two = len(statements)
    statements.clear()
    found = client.compare(ids)
    assert len(statements) == two <= 3
    assert len(found.runs) == 50 and len(found.series[0].runs) == 50


def test_bad_input_is_refused_and_unknown_runs_are_named(client: Client) -> None:
    ids = _three(client)
    for bad in ([ids[0]], [ids[0], ids[0]], list(range(1, 52)), [ids[0], "2"], [ids[0], True]):
        with pytest.raises(InvalidInputError):
            client.compare(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        client.compare(ids, points=1)
    assert [r.id for r in client.compare([ids[0], ids[1], ids[0]]).runs] == ids[:2]
    with pytest.raises(NotFoundError, match="Runs 998, 999 not found"):
        client.compare([ids[0], 999, 998])
    with pytest.raises(NotFoundError, match="Run 0 not found"):
        client.compare([ids[0], 0])
