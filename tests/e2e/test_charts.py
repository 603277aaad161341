"""The console's charts and filter box in Chromium: history's metrics over time, a run's step series, the filter.

The step-series test adds rows to `run_metric_steps` of the demo database and reads them back through
`GET /api/v1/runs/{id}/series`; the filter test asks `GET /api/v1/runs?where=&order_by=` of the server.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from mltrace.db.models import run_metric_steps

SERIES_KEY = "e2e_loss"
SERIES_STEPS = 20  # few enough for a dot per step
NOT_FINITE = {7: math.nan, 14: math.inf}  # NaN is stored as NULL


def series_value(step: int) -> float:
    return NOT_FINITE.get(step, round(1 / (1 + step), 4))


@pytest.fixture
def seeded_series(demo: dict[str, Any]) -> Iterator[int]:
    """A 20-step series on the first train run, with a NaN and an Infinity; removed afterwards."""
    run_id = demo["run_ids"]["train"][0]
    logged = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [
        {
            "run_id": run_id,
            "key": SERIES_KEY,
            "step": step,
            "num": None if math.isnan(series_value(step)) else series_value(step),
            "ts": logged + timedelta(seconds=step),
        }
        for step in range(SERIES_STEPS)
    ]
    engine = sa.create_engine(demo["db_uri"])
    try:
        with engine.begin() as connection:
            connection.execute(sa.insert(run_metric_steps), rows)
        yield run_id
    finally:
        with engine.begin() as connection:
            connection.execute(sa.delete(run_metric_steps).where(run_metric_steps.c.key == SERIES_KEY))
        engine.dispose()


def test_history_draws_each_metric_over_time_and_the_flagged_days_stand_out(page: Page, demo: dict[str, Any]) -> None:
    runs = page.request.get("/api/v1/components/predict/runs?limit=10").json()["runs"]
    with_alerts = [run for run in runs if isinstance((run["metrics"] or {}).get("alerts"), int)]
    flagged = [run for run in with_alerts if any(output["flagged"] for output in run["outputs"])]
    assert flagged, "the demo's bad days flag predictions"
    page.goto("/history/predict/10")
    charts = page.get_by_role("region", name="Metrics over time")
    alerts = charts.get_by_role("figure", name="alerts over time")
    expect(alerts.locator(".recharts-line-curve")).to_have_count(1)
    expect(alerts.locator(".chart-point")).to_have_count(len(with_alerts))
    expect(alerts.locator(".chart-point-flagged")).to_have_count(len(flagged))
    expect(charts.get_by_role("list", name="Legend")).to_contain_text("output flagged")
    # The flagged points are drawn in the flag colour, above the usual ones (8 alerts against 0).
    usual = alerts.locator(".chart-point-usual").first
    bad = alerts.locator(".chart-point-flagged").first
    assert bad.evaluate("e => getComputedStyle(e).fill") != usual.evaluate("e => getComputedStyle(e).fill")
    assert bad.bounding_box()["y"] < usual.bounding_box()["y"]  # type: ignore[index]
    # Hover names the run, its time and its value; a click opens it.
    bad_id = bad.get_attribute("data-run-id")
    bad.hover()
    tooltip = alerts.locator(".chart-tooltip")
    expect(tooltip).to_contain_text(f"Run {bad_id}")
    expect(tooltip).to_contain_text(re.compile(r"alerts\s*8"))
    expect(tooltip).to_contain_text("output flagged")
    bad.click()
    expect(page).to_have_url(re.compile(rf"/inspect/{bad_id}$"))


def test_history_charts_fit_a_phone(phone: Page, demo: dict[str, Any]) -> None:
    phone.goto("/history/ingest/10")
    chart = phone.get_by_role("figure", name="temperature_mean over time")
    expect(chart.locator(".chart-point-unusual")).to_have_count(1)
    box = chart.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_inspect_draws_the_runs_step_series_with_gaps_for_nan_and_infinity(
    page: Page, demo: dict[str, Any], seeded_series: int
) -> None:
    page.goto(f"/inspect/{seeded_series}")
    chart = page.get_by_role("region", name="Step series").get_by_role("figure", name=f"{SERIES_KEY} by step")
    expect(chart).to_contain_text("20 steps, 2 values not finite (gaps)")
    curve = chart.locator(".recharts-line-curve")
    expect(curve).to_have_count(1)
    assert curve.get_attribute("d").count("M") == 3  # type: ignore[union-attr]  # steps 0–6, 8–13, 15–19
    expect(chart.locator(".recharts-line-dots circle")).to_have_count(SERIES_STEPS - len(NOT_FINITE))


def test_a_run_without_series_shows_no_series_section(page: Page, demo: dict[str, Any]) -> None:
    page.goto(f"/inspect/{demo['culprit_run_id']}")
    expect(page.get_by_role("region", name="Metrics")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("region", name="Step series")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_the_filter_box_filters_keeps_the_filter_in_the_url_and_points_at_a_mistake(
    page: Page, demo: dict[str, Any]
) -> None:
    runs = page.request.get("/api/v1/components/predict/runs?limit=100").json()["runs"]
    expected = [run["id"] for run in runs if (run["metrics"] or {}).get("alerts", 0) > 0]
    page.goto("/")
    box = page.get_by_role("search", name="Filter runs")
    where = box.get_by_role("textbox", name="Filter", exact=True)
    where.fill("metrics.alerts > 0 and component = 'predict'")
    box.get_by_role("textbox", name="Order by").fill("metrics.alerts desc")
    where.press("Enter")
    matching = page.get_by_role("list", name="Runs matching the filter").get_by_role("article")
    expect(matching).to_have_count(len(expected))
    shown = sorted(int(label.removeprefix("Run ")) for label in matching.evaluate_all("l => l.map(a => a.ariaLabel)"))
    assert shown == sorted(expected)
    query = parse_qs(urlparse(page.url).query)
    assert query == {"where": ["metrics.alerts > 0 and component = 'predict'"], "order_by": ["metrics.alerts desc"]}
    # The address alone brings the same runs back.
    page.reload()
    expect(matching).to_have_count(len(expected))
    expect(where).to_have_value("metrics.alerts > 0 and component = 'predict'")
    # A filter the server cannot read: its message, which says where, under the box.
    where.fill("metrics.alerts >> 8")
    where.press("Enter")
    error = box.get_by_role("alert")
    expect(error).to_be_visible()
    expect(error).to_contain_text(re.compile(r"column \d+", re.IGNORECASE))
    expect(where).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("list", name=re.compile("^Runs"))).to_have_count(0)
