"""The compare view in real Chromium: differing rows first, one chart line per run for 3 and for 50 runs, a first
column that stays in place while 50 runs scroll sideways, and runs ticked in history opening it."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.actions import run_command


def values_table(page: Page) -> Locator:
    table = page.get_by_role("table", name=re.compile("side by side"))
    expect(table).to_be_visible()
    return table


def differs_in_order(page: Page) -> list[str]:
    """Each shown row's `data-differs`, top to bottom, once the identical rows are unfolded."""
    page.get_by_role("button", name=re.compile(r"^Show \d+ identical rows?$")).click()
    return values_table(page).locator("tr[data-differs]").evaluate_all("rows => rows.map(r => r.dataset.differs)")


def line_paths(chart: Locator) -> int:
    """How many run lines a recharts line chart drew."""
    expect(chart.locator(".recharts-line-curve").first).to_be_visible()
    return chart.locator("path.recharts-line-curve").count()


def test_compare_of_three_runs_puts_differing_rows_first_and_draws_a_line_per_run(
    page: Page, demo: dict[str, Any]
) -> None:
    ids = demo["run_ids"]["train"][:3]
    page.goto("/")
    run_command(page, "compare " + " ".join(map(str, ids)))
    expect(page).to_have_url(re.compile(rf"/compare/{','.join(map(str, ids))}$"))
    expect(page.get_by_role("heading", level=1, name="Compare 3 runs")).to_be_visible()
    order = differs_in_order(page)
    assert "true" in order and "false" in order
    assert order == sorted(order, reverse=True), "a differing row comes after an identical one"
    chart = page.get_by_role("figure", name=f"{demo['series_key']} by step")
    assert line_paths(chart) == 3
    answer = page.request.get("/api/v1/compare", params={"ids": ",".join(map(str, ids))}).json()
    (auc,) = [row["values"] for row in answer["rows"] if (row["group"], row["key"]) == ("metrics", "auc")]
    bars = page.get_by_role("figure", name="auc per run")
    expect(bars.locator(".recharts-bar-rectangle").first).to_be_visible()
    assert bars.locator(".recharts-bar-rectangle").count() == sum(isinstance(v, (int, float)) for v in auc) >= 2
    surface = chart.locator(".recharts-surface").first
    surface.scroll_into_view_if_needed()
    box = surface.bounding_box()
    assert box is not None
    surface.hover(position={"x": box["width"] * 0.6, "y": box["height"] / 2})
    tooltip = chart.locator(".recharts-tooltip-wrapper")
    expect(tooltip).to_contain_text(re.compile(r"^step \d+"))
    for run_id in ids:
        expect(tooltip).to_contain_text(f"Run {run_id}")


def test_compare_of_fifty_runs_draws_fifty_lines_and_keeps_the_first_column_in_place(
    page: Page, demo: dict[str, Any]
) -> None:
    ids = demo["sweep_run_ids"]
    assert len(ids) == 50
    page.goto("/compare/" + ",".join(map(str, ids)))
    expect(page.get_by_role("heading", level=1, name="Compare 50 runs")).to_be_visible()
    table = values_table(page)
    expect(table.get_by_role("columnheader", name=re.compile(r"Run \d+"))).to_have_count(50)
    first_rows = table.locator("tr[data-differs]").evaluate_all("rows => rows.map(r => r.dataset.differs)")
    assert first_rows and set(first_rows) == {"true"}  # identical rows are folded
    assert line_paths(page.get_by_role("figure", name="loss by step")) == 50
    bars = page.get_by_role("figure", name="accuracy per run").locator(".recharts-bar-rectangle")
    expect(bars.first).to_be_visible()
    assert bars.count() == 50
    scroller = page.locator(".compare-scroll")
    assert scroller.evaluate("s => s.scrollWidth > s.clientWidth"), "50 runs fit without scrolling?"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    label = table.get_by_role("rowheader", name=re.compile("learning_rate"))
    before = label.bounding_box()
    scroller.evaluate("s => { s.scrollLeft = s.scrollWidth }")
    after = label.bounding_box()
    assert before is not None and after is not None and abs(after["x"] - before["x"]) < 1
    order = differs_in_order(page)
    assert order[: len(first_rows)] == first_rows and "false" in order
    assert order == sorted(order, reverse=True), "a differing row comes after an identical one"


def test_runs_ticked_in_history_open_the_compare_view(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/history/sweep/10")
    expect(page.get_by_role("heading", level=1, name="History of sweep")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(10)
    shown = [
        int(t.removeprefix("Run ")) for t in rows.get_by_role("link", name=re.compile(r"^Run \d+$")).all_inner_texts()
    ]
    for run_id in shown[:4]:
        page.get_by_role("checkbox", name=f"Compare run {run_id}").check()
    expect(page).to_have_url(re.compile(r"/history/sweep/10$"))
    page.get_by_role("button", name="Compare 4 runs").click()
    expect(page).to_have_url(re.compile(rf"/compare/{','.join(map(str, shown[:4]))}$"))
    assert line_paths(page.get_by_role("figure", name="loss by step")) == 4
