"""Screenshots of every view in both themes, written to build/screenshots/<view>-<theme>.png.

Each is taken once the view shows its content (never a spinner), in a 1280×800 window (the run
page whole, it is long), in UTC and US English, with the browser's clock stopped at the time the
demo was stored; plus the review on a 390×844 phone. `make screenshots` writes them to
docs/screenshots/ (MLTRACE_SCREENSHOTS_DIR), the ones README.md shows, from a demo stored at a fixed
time (MLTRACE_DEMO_NOW), so that they change only when the console does.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.actions import enc

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED = ROOT / "docs" / "screenshots"
SCREENSHOTS = ROOT / os.environ.get("MLTRACE_SCREENSHOTS_DIR", "build/screenshots")  # an absolute path stays as it is
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def show_recent(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Recent runs")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Recent")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("list", name="Runs").get_by_role("article")).to_have_count(20)


def show_history(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/history/ingest/20")
    expect(page.get_by_role("heading", level=1, name="History of ingest")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(len(demo["run_ids"]["ingest"]))


def show_history_chart(page: Page, demo: dict[str, Any]) -> None:
    # The daily alerts of predict over time: the flagged days stand out.
    page.goto("/history/predict/10")
    chart = page.get_by_role("figure", name="alerts over time")
    expect(chart.locator(".chart-point-flagged").first).to_be_visible()


def show_series(page: Page, demo: dict[str, Any]) -> None:
    # A train run's loss per epoch (the demo logs it with log_metrics(..., step=)), its section in view.
    page.goto(f"/inspect/{demo['run_ids']['train'][0]}")
    series = page.get_by_role("region", name="Step series")
    expect(series.locator(".recharts-line-curve").first).to_be_visible()
    series.scroll_into_view_if_needed()
    series.evaluate("section => section.scrollIntoView({block: 'center'})")


def show_inspect(page: Page, demo: dict[str, Any]) -> None:
    # A predict run that read a model older than its staleness threshold, with its test results.
    run_id = demo["stale_run_ids"][0]
    page.goto(f"/inspect/{run_id}")
    card = page.get_by_role("article", name=f"Run {run_id} details")
    expect(card).to_be_visible()
    expect(card.get_by_role("region", name="Test results").get_by_text("passed").first).to_be_visible()
    expect(card.get_by_text(re.compile(r"threshold 3 days"))).to_be_visible()


def show_cached(page: Page, demo: dict[str, Any]) -> None:
    # The train run that returned an earlier result: the run it reused, and its stored model to download.
    run_id = demo["cached_run_ids"][-1]
    page.goto(f"/inspect/{run_id}")
    card = page.get_by_role("article", name=f"Run {run_id} details")
    expect(card.get_by_role("link", name=re.compile(r"^Download models\/model\.pkl"))).to_be_visible()


def show_trace(page: Page, demo: dict[str, Any]) -> None:
    bad = demo["bad_prediction_ids"][0]
    page.goto(f"/trace/{enc(bad)}")
    expect(page.locator('.react-flow[data-layout="done"]')).to_be_visible()
    expect(page.get_by_role("group", name=re.compile(rf"{re.escape(bad)}, flagged$"))).to_be_visible()


def show_diff(page: Page, demo: dict[str, Any]) -> None:
    # A good prediction against a flagged one, the top difference picked.
    good, bad = demo["good_prediction_ids"][0], demo["bad_prediction_ids"][0]
    page.goto(f"/diff/{enc(good)}/{enc(bad)}?rank=1")
    expect(page.locator('.react-flow[data-layout="done"]')).to_be_visible()
    expect(page.get_by_role("region", name="Difference 1")).to_be_visible()


def show_impact(page: Page, demo: dict[str, Any]) -> None:
    page.goto(f"/impact/run%3A{demo['run_ids']['ingest'][0]}")
    expect(page.get_by_role("region", name="Runs per component").get_by_role("row")).not_to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Flag all"))).to_be_visible()


def show_compare(page: Page, demo: dict[str, Any]) -> None:
    # Every training run of the demo: what differs first, their loss per epoch and their scores.
    ids = demo["run_ids"]["train"]
    page.goto("/compare/" + ",".join(map(str, ids)))
    expect(page.get_by_role("heading", level=1, name=f"Compare {len(ids)} runs")).to_be_visible()
    answer = page.request.get("/api/v1/compare", params={"ids": ",".join(map(str, ids))}).json()
    (loss,) = [metric for metric in answer["series"] if metric["key"] == "loss"]  # a cached run logged none
    lines = page.get_by_role("figure", name="loss by step").locator("path.recharts-line-curve")
    expect(lines).to_have_count(len(loss["runs"]))
    expect(page.get_by_role("figure", name="auc per run").locator(".recharts-bar-rectangle").first).to_be_visible()


def show_tag(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/tag/etl")
    expect(page.get_by_role("heading", level=1, name="Tag etl")).to_be_visible()
    expect(page.get_by_role("list", name="Recent runs of ingest").get_by_role("article")).not_to_have_count(0)
    expect(page.get_by_role("list", name="Recent runs of clean").get_by_role("article")).not_to_have_count(0)


def show_review(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/review")
    expect(page.get_by_role("heading", level=1, name="Review")).to_be_visible()
    expect(page.get_by_role("row").nth(1).get_by_role("meter", name="Coverage")).to_be_visible()
    expect(page.get_by_role("link", name=demo["bad_prediction_ids"][0], exact=True)).to_be_visible()


def show_help(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/help")
    expect(page.get_by_role("heading", level=1, name="Help")).to_be_visible()
    expect(page.get_by_role("cell", name="trace OUTPUT_ID", exact=True)).to_be_visible()


VIEWS: dict[str, Callable[[Page, dict[str, Any]], None]] = {
    "recent": show_recent,
    "history": show_history,
    "history-chart": show_history_chart,
    "inspect": show_inspect,
    "cached": show_cached,
    "series": show_series,
    "trace": show_trace,
    "diff": show_diff,
    "impact": show_impact,
    "compare": show_compare,
    "tag": show_tag,
    "review": show_review,
    "help": show_help,
}


def open_at_demo_time(new_page: Callable[..., Page], demo: dict[str, Any], **context_options: Any) -> Page:
    """A page whose clock stands at the time the demo was stored (relative times then read the same every run)."""
    page = new_page(timezone_id="UTC", locale="en-US", **context_options)
    page.clock.set_fixed_time(demo["now"])
    return page


def shoot(page: Page, name: str, full_page: bool = False) -> None:
    """Waits until nothing is loading and the fonts are in, then writes SCREENSHOTS/<name>.png."""
    expect(page.locator(".state-loading")).to_have_count(0)
    page.evaluate("document.fonts.ready")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page, animations="disabled", caret="hide")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_is_photographed_in_both_themes(
    new_page: Callable[..., Page], demo: dict[str, Any], view: str, theme: str
) -> None:
    page = open_at_demo_time(new_page, demo, viewport=DESKTOP, color_scheme=theme)
    VIEWS[view](page, demo)
    other = "light" if theme == "dark" else "dark"
    expect(page.get_by_role("button", name=f"Switch to {other} theme")).to_be_visible()
    # The run page is long: all of it, so that its test results and notes show too.
    shoot(page, f"{view}-{theme}", full_page=view in ("inspect", "compare"))


def test_the_review_is_photographed_on_a_phone_with_every_column_in_view(
    new_page: Callable[..., Page], demo: dict[str, Any]
) -> None:
    page = open_at_demo_time(new_page, demo, viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="light")
    show_review(page, demo)
    table = page.locator(".table-scroll").first
    assert table.evaluate("t => t.scrollWidth - t.clientWidth") <= 0, "the ranking scrolls sideways"
    shoot(page, "review-narrow-light")


def test_a_cached_run_is_photographed_on_a_phone(new_page: Callable[..., Page], demo: dict[str, Any]) -> None:
    page = open_at_demo_time(new_page, demo, viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    show_cached(page, demo)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the run page scrolls sideways"
    shoot(page, "cached-narrow-dark")


def test_the_history_chart_is_photographed_on_a_phone_no_wider_than_it(
    new_page: Callable[..., Page], demo: dict[str, Any]
) -> None:
    page = open_at_demo_time(new_page, demo, viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    show_history_chart(page, demo)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the history scrolls sideways"
    shoot(page, "history-chart-narrow-dark")


@pytest.mark.parametrize("view", ["diff", "impact", "compare"])
def test_the_diff_the_impact_and_the_compare_are_photographed_on_a_phone_no_wider_than_it(
    new_page: Callable[..., Page], demo: dict[str, Any], view: str
) -> None:
    page = open_at_demo_time(new_page, demo, viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="light")
    VIEWS[view](page, demo)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"the {view} scrolls sideways"
    shoot(page, f"{view}-narrow-light", full_page=True)


def test_the_tests_write_screenshots_to_an_ignored_folder_and_leave_the_documented_ones_alone(
    new_page: Callable[..., Page], demo: dict[str, Any]
) -> None:
    documented = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in DOCUMENTED.glob("*.png")}
    assert "help-light.png" in documented
    page = open_at_demo_time(new_page, demo, viewport=DESKTOP, color_scheme="light")
    show_help(page, demo)
    shoot(page, "help-light")
    written = SCREENSHOTS / "help-light.png"
    assert written.stat().st_size > 1000 and written.read_bytes().startswith(b"\x89PNG")
    ignored = subprocess.run(["git", "check-ignore", "--quiet", str(written)], cwd=ROOT)
    assert ignored.returncode == 0, f"{written} is not ignored by git"
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in DOCUMENTED.glob("*.png")} == documented


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_fifty_compared_runs_scroll_inside_their_table_not_the_page(
    new_page: Callable[..., Page], demo: dict[str, Any], viewport: dict[str, int]
) -> None:
    phone = viewport == PHONE
    page = open_at_demo_time(new_page, demo, viewport=viewport, is_mobile=phone, has_touch=phone, color_scheme="dark")
    page.goto("/compare/" + ",".join(map(str, demo["sweep_run_ids"])))
    expect(page.get_by_role("figure", name="loss by step").locator("path.recharts-line-curve")).to_have_count(50)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the page scrolls sideways"
    shoot(page, f"compare-fifty-{'narrow' if phone else 'wide'}-dark", full_page=True)
