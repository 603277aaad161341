"""Every view at 1280×800 and at 390×844, light and dark: nothing wider than the window, the command bar in reach.

Each view is also photographed, into the test run's temporary folder (`--basetemp` chooses it;
the path is printed), for a person to look at: docs/screenshots/ is left to `make screenshots`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.actions import enc

SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _graph(page: Page) -> None:
    expect(page.locator('.react-flow[data-layout="done"]')).to_be_visible(timeout=20_000)


def _heading(name: str | re.Pattern[str]) -> Callable[[Page], None]:
    return lambda page: expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def views(demo: dict[str, Any]) -> list[tuple[str, str, Callable[[Page], None]]]:
    """(name, path, wait until shown) for every view, with the states worth seeing."""
    bad = demo["bad_prediction_ids"][0]
    culprit = demo["culprit_run_id"]
    trace = f"/trace/{enc(bad)}"

    def panel(page: Page) -> None:
        _graph(page)
        details = page.get_by_role("complementary", name="Node details")
        expect(details.get_by_role("article")).to_be_visible()

    return [
        ("recent", "/", lambda page: expect(page.get_by_role("article").nth(19)).to_be_visible()),
        ("history", "/history/ingest/20", lambda page: expect(page.locator("tbody tr").first).to_be_visible()),
        (
            "history-chart",
            "/history/predict/10",
            lambda page: expect(page.get_by_role("figure", name="alerts over time")).to_be_visible(),
        ),
        (
            "recent-filter-error",
            "/?where=metrics.alerts%20%3E%3E%208",
            lambda page: expect(page.get_by_role("search").get_by_role("alert")).to_be_visible(),
        ),
        ("inspect", f"/inspect/{culprit}", _heading(f"Run {culprit}")),
        (
            "inspect-stale",
            f"/inspect/{demo['stale_run_ids'][0]}",
            lambda page: expect(page.get_by_role("region", name="Staleness warnings")).to_be_visible(),
        ),
        ("trace", trace, _graph),
        ("trace-details", f"{trace}?node=run%3A{culprit}", panel),
        (
            "trace-list",
            f"{trace}?view=list",
            lambda page: expect(page.get_by_role("list", name="Trace as a list")).to_be_visible(),
        ),
        ("trace-downstream", f"/trace/{enc(demo['culprit_output'])}?direction=downstream", _graph),
        ("downstream-suspect", f"/downstream/{culprit}?suspect=run%3A{culprit}", _graph),
        ("trace-large", f"/trace/{enc(demo['big_output'])}", _graph),
        ("diff", f"/diff/{enc(demo['good_prediction_ids'][0])}/{enc(bad)}?rank=1", _graph),
        (
            "impact",
            f"/impact/run%3A{demo['run_ids']['ingest'][0]}",
            lambda page: expect(page.get_by_role("region", name=re.compile("^Endpoint outputs"))).to_be_visible(),
        ),
        ("tag", "/tag/etl", _heading("Tag etl")),
        ("review", "/review", lambda page: expect(page.get_by_role("meter").first).to_be_visible()),
        ("help", "/help", _heading("Help")),
        (
            "odd-names",
            f"/history/{enc(demo['odd_component'])}/10",
            lambda page: expect(page.locator("tbody tr")).to_have_count(1),
        ),
        ("not-found", "/no/such/page", _heading("Page not found")),
    ]


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "screens"
    folder.mkdir(exist_ok=True)
    print(f"\nscreenshots of every view: {folder}")
    return folder


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_every_view_fits_the_window_and_keeps_the_command_bar(
    new_page: Callable[..., Page], demo: dict[str, Any], screens: Path, size: str, theme: str
) -> None:
    page = new_page(**SIZES[size], color_scheme=theme, timezone_id="UTC", locale="en-US")
    for name, path, shown in views(demo):
        page.goto(path)
        shown(page)
        expect(page.locator(".state-loading")).to_have_count(0)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} ({path}) is {overflow}px wider than the {size} window"
        expect(page.get_by_label("Command")).to_be_in_viewport()
        page.screenshot(path=screens / f"{name}-{size}-{theme}.png", animations="disabled", caret="hide")


def test_the_command_bar_works_on_a_phone(new_page: Callable[..., Page], demo: dict[str, Any]) -> None:
    page = new_page(**SIZES["phone"])
    page.goto(f"/inspect/{demo['culprit_run_id']}")
    bar = page.get_by_label("Command")
    bar.fill("histo")
    option = page.get_by_role("option", name=re.compile(r"^history COMPONENT"))
    expect(option).to_be_in_viewport()
    box = page.get_by_role("listbox").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    bar.press("Tab")
    bar.press_sequentially("ingest")
    bar.press("Enter")
    expect(page.get_by_role("heading", level=1, name="History of ingest")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
