"""Params and metrics as typed rows: written with each run, filled in for runs stored before, read by the views."""

from __future__ import annotations

import json
import math

from sqlalchemy import select, text

from mltrace.client import Client
from mltrace.db.migrate import upgrade
from mltrace.db.models import run_metrics, run_params
from mltrace.db.run_values import python_value, typed_value
from tests.factories import T0, run

PARAMS = {"model": "resnet18", "lr": 0.01, "epochs": 3, "fahrenheit": True, "layers": [64, 32], "bad": float("nan")}


def _values(client: Client, table) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with client.store.engine.connect() as conn:
        rows = conn.execute(select(table.c.key, table.c.kind, table.c.num, table.c.text)).all()
    return {key: python_value(kind, num, txt) for key, kind, num, txt in rows}


def test_each_value_is_stored_with_its_type(client: Client) -> None:
    client.ingest([run("train", 0, params=PARAMS, metrics={"loss": float("inf"), "accuracy": 0.93})])
    params = _values(client, run_params)
    assert {k: v for k, v in params.items() if k != "bad"} == {k: v for k, v in PARAMS.items() if k != "bad"}
    assert isinstance(params["fahrenheit"], bool) and isinstance(params["epochs"], int)
    assert isinstance(params["bad"], float) and math.isnan(params["bad"])
    assert _values(client, run_metrics) == {"loss": math.inf, "accuracy": 0.93}


def test_nan_matches_no_comparison_and_infinity_orders_last(client: Client) -> None:
    client.ingest([run("train", i, metrics={"loss": value}) for i, value in enumerate([0.5, math.nan, math.inf])])
    with client.store.engine.connect() as conn:
        above = conn.execute(select(run_metrics.c.run_id).where(run_metrics.c.num > 0.1)).scalars().all()
        top = conn.execute(select(run_metrics.c.num).order_by(run_metrics.c.num.desc().nulls_last()).limit(1))
        assert len(above) == 2 and top.scalar() == math.inf


def test_strings_of_non_finite_floats_are_numbers() -> None:
    assert typed_value("Infinity") == ("number", math.inf, None)
    assert typed_value("NaN") == ("number", None, None)
    assert typed_value("nan") == ("string", None, "nan")
    assert typed_value({"a": 1}) == ("json", None, json.dumps({"a": 1}))


def test_runs_stored_before_the_value_tables_get_their_values(client: Client) -> None:
    engine = client.store.engine
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO component_runs (id, key, component_name, start_ts, end_ts, status, notes, params,"
                " metrics, git_tags, test_results, stale, warnings, staleness_threshold_s, inputs_count, outputs_count)"
                " VALUES (7, 'k7', 'train', :t, :t, 'success', '', :params, :metrics, '[]', '[]', '[]', '[]', 1, 0, 0)"
            ),
            {"t": T0.replace(tzinfo=None), "params": json.dumps({"model": "a"}), "metrics": json.dumps({"acc": 1.5})},
        )
    upgrade(engine)
    assert _values(client, run_params) == {"model": "a"}
    assert _values(client, run_metrics) == {"acc": 1.5}


def test_the_views_show_runs_params_and_metrics_by_name(client: Client) -> None:
    client.ingest([run("train", 0, 2.5, params={"model": "resnet18"}, metrics={"accuracy": 0.9}, git_hash="abc")])
    with client.store.engine.connect() as conn:
        runs = conn.execute(text("SELECT component, status, duration_s, git_commit FROM mltrace_runs")).all()
        params = conn.execute(text("SELECT component, key, kind, value_text FROM mltrace_params")).all()
        metrics = conn.execute(text("SELECT key, value_number FROM mltrace_metrics")).all()
    assert [(c, s, round(d, 3), g) for c, s, d, g in runs] == [("train", "success", 2.5, "abc")]
    assert params == [("train", "model", "string", "resnet18")]
    assert metrics == [("accuracy", 0.9)]


def test_clean_drops_the_views_with_the_tables(client: Client) -> None:
    client.ingest([run("train", 0, params={"model": "a"})])
    client.clean()
    client.ingest([run("train", 0, params={"model": "b"})])
    assert _values(client, run_params) == {"model": "b"}


def test_text_postgresql_cannot_hold_is_stored_escaped_as_in_the_runs_json(client: Client) -> None:
    client.ingest([run("train", 0, params={"note": "a\x00b"}, metrics={"label": "x\x00"})])
    stored = client.recent(1)[0]
    assert _values(client, run_params) == stored.params and _values(client, run_metrics) == stored.metrics
    assert "\x00" not in stored.params["note"]
