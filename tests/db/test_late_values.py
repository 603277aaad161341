"""`set_params`/`set_metrics`: values added to a stored run, in its JSON and in the typed rows at once."""

from __future__ import annotations

import math
from typing import Any

import pytest
from sqlalchemy import text

import mltrace
from mltrace.client import Client
from mltrace.db.run_values import python_value
from mltrace.db.store import engine_for
from mltrace.errors import InvalidInputError, NotFoundError
from tests.factories import run


def _typed(db_uri: str, table: str, run_id: int) -> dict[str, Any]:
    with engine_for(db_uri).connect() as conn:
        rows = conn.execute(text(f"SELECT key, kind, num, text FROM {table} WHERE run_id = :r"), {"r": run_id})
        return {key: python_value(kind, num, txt) for key, kind, num, txt in rows}


@pytest.fixture
def stored(db_uri: str) -> tuple[Client, int]:
    client = Client(db_uri)
    (run_id,) = client.ingest([run("train", 0, params={"lr": 0.1, "model": "a"}, metrics={"val_acc": 0.8})])
    return client, run_id


def test_set_metrics_adds_and_replaces_values_in_the_json_and_the_typed_rows(stored: tuple[Client, int]) -> None:
    client, run_id = stored
    updated = client.set_metrics(run_id, {"test_acc": 0.913, "val_acc": 0.82, "passed": True})
    assert updated.metrics == {"val_acc": 0.82, "test_acc": 0.913, "passed": True}
    assert client.get_run(run_id).metrics == updated.metrics
    assert _typed(client.db_uri, "run_metrics", run_id) == {"val_acc": 0.82, "test_acc": 0.913, "passed": True}
    assert client.get_run(run_id).params == {"lr": 0.1, "model": "a"}  # untouched


def test_set_params_and_metrics_together_in_one_call(stored: tuple[Client, int]) -> None:
    client, run_id = stored
    client.set_values(run_id, params={"model": "resnet18", "layers": 18}, metrics={"f1": 0.7})
    run_back = client.get_run(run_id)
    assert run_back.params == {"lr": 0.1, "model": "resnet18", "layers": 18}
    assert _typed(client.db_uri, "run_params", run_id) == {"lr": 0.1, "model": "resnet18", "layers": 18}
    assert _typed(client.db_uri, "run_metrics", run_id) == {"val_acc": 0.8, "f1": 0.7}


def test_nan_and_infinity_survive_set_metrics(stored: tuple[Client, int]) -> None:
    client, run_id = stored
    client.set_metrics(run_id, {"a": math.nan, "b": math.inf, "c": -math.inf})
    metrics = client.get_run(run_id).metrics
    assert (metrics["a"], metrics["b"], metrics["c"]) == ("NaN", "Infinity", "-Infinity")
    typed = _typed(client.db_uri, "run_metrics", run_id)
    assert math.isnan(typed["a"]) and typed["b"] == math.inf and typed["c"] == -math.inf


def test_an_unknown_run_is_not_found_and_nothing_changes(stored: tuple[Client, int]) -> None:
    client, run_id = stored
    for unknown in (run_id + 1, 0, 2**40):
        with pytest.raises(NotFoundError):
            client.set_metrics(unknown, {"x": 1})


@pytest.mark.parametrize(
    "values",
    [{"x": [1, 2]}, {"x": None}, {"x": {"a": 1}}, {"": 1}, {"k" * 256: 1}, {"x": "a\x00b"}, {3: 1}],
    ids=["list", "none", "dict", "empty-key", "long-key", "nul", "int-key"],
)
def test_a_value_that_is_no_number_string_or_boolean_is_refused(stored: tuple[Client, int], values: Any) -> None:
    client, run_id = stored
    with pytest.raises(InvalidInputError):
        client.set_params(run_id, values)
    assert client.get_run(run_id).params == {"lr": 0.1, "model": "a"}


def test_module_level_set_functions_use_the_default_client(logging_to: str) -> None:
    (run_id,) = Client(logging_to).ingest([run("late", 0)])
    assert mltrace.set_params(run_id, {"seed": 3}).params == {"seed": 3}
    assert mltrace.set_metrics(run_id, {"test_accuracy": 0.91}).metrics == {"test_accuracy": 0.91}


def test_late_values_are_in_the_audit_trail_and_a_refused_change_is_not(stored: tuple[Client, int]) -> None:
    client, run_id = stored
    client.set_params(run_id, {"model": "b", "seed": 3})
    with pytest.raises(InvalidInputError):
        client.set_metrics(run_id, {"bad": [1]})
    with pytest.raises(NotFoundError):
        client.set_metrics(run_id + 1000, {"x": 1.0})
    (entry,) = [e for e in client.audit(10, run_id=run_id) if e.action == "values"]
    assert (entry.actor, entry.target_kind, entry.target) == ("local", "run", str(run_id))
    assert (entry.before, entry.after) == ({"params": {"model": "a"}}, {"params": {"model": "b", "seed": 3}})
