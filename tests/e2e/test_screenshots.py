"""Screenshots of every view in both themes, written to docs/screenshots/<view>-<theme>.png.

Each is taken once the view shows its content (never a spinner), in a 1280×800 window (the run
page whole, it is long), in UTC and US English so that the pictures change only when the console
or the demo data does; plus the review on a 390×844 phone. Overwritten on every run; README.md
shows them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def enc(value: str) -> str:
    return quote(value, safe="-_.!~*'()")


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


def show_inspect(page: Page, demo: dict[str, Any]) -> None:
    # A predict run that read a model older than its staleness threshold, with its test results.
    run_id = demo["stale_run_ids"][0]
    page.goto(f"/inspect/{run_id}")
    card = page.get_by_role("article", name=f"Run {run_id} details")
    expect(card).to_be_visible()
    expect(card.get_by_role("region", name="Test results").get_by_text("passed").first).to_be_visible()
    expect(card.get_by_text(re.compile(r"threshold 3 days"))).to_be_visible()


def show_trace(page: Page, demo: dict[str, Any]) -> None:
    bad = demo["bad_prediction_ids"][0]
    page.goto(f"/trace/{enc(bad)}")
    expect(page.locator('.react-flow[data-layout="done"]')).to_be_visible()
    expect(page.get_by_role("group", name=re.compile(rf"{re.escape(bad)}, flagged$"))).to_be_visible()


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
    "inspect": show_inspect,
    "trace": show_trace,
    "tag": show_tag,
    "review": show_review,
    "help": show_help,
}


def shoot(page: Page, name: str, full_page: bool = False) -> None:
    """Waits until nothing is loading and the fonts are in, then writes docs/screenshots/<name>.png."""
    expect(page.locator(".state-loading")).to_have_count(0)
    page.evaluate("document.fonts.ready")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page, animations="disabled", caret="hide")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_is_photographed_in_both_themes(
    new_page: Callable[..., Page], demo: dict[str, Any], view: str, theme: str
) -> None:
    page = new_page(viewport=DESKTOP, color_scheme=theme, timezone_id="UTC", locale="en-US")
    VIEWS[view](page, demo)
    other = "light" if theme == "dark" else "dark"
    expect(page.get_by_role("button", name=f"Switch to {other} theme")).to_be_visible()
    # The run page is long: all of it, so that its test results and notes show too.
    shoot(page, f"{view}-{theme}", full_page=view == "inspect")


def test_the_review_is_photographed_on_a_phone_with_every_column_in_view(
    new_page: Callable[..., Page], demo: dict[str, Any]
) -> None:
    page = new_page(
        viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="light", timezone_id="UTC", locale="en-US"
    )
    show_review(page, demo)
    table = page.locator(".table-scroll").first
    assert table.evaluate("t => t.scrollWidth - t.clientWidth") <= 0, "the ranking scrolls sideways"
    shoot(page, "review-narrow-light")
