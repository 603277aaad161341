"""The trace graph read and driven as a person does: legible when fitted, every node reached by keyboard, and
the review's suspect shown with its path to the flagged outputs (real Chromium, the demo pipeline)."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.actions import enc

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MIN_LABEL_PX = 11

# The size at which each text of the drawn nodes reads, in CSS pixels: its font size times the zoom.
# The tooltips (hidden until hover or focus) are left out.
LABEL_SIZES = """
() => {
  const graph = document.querySelector('.react-flow');
  const zoom = Number(/scale\\(([\\d.]+)\\)/.exec(graph.querySelector('.react-flow__viewport').style.transform)[1]);
  const sizes = [];
  for (const element of graph.querySelectorAll('.react-flow__node *')) {
    if (element.closest('.trace-node-tip')) continue;
    if (![...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
    if (element.getClientRects().length === 0) continue;
    sizes.push(parseFloat(getComputedStyle(element).fontSize) * zoom);
  }
  return { zoom, smallest: Math.min(...sizes), texts: sizes.length };
}
"""


def _get(demo: dict[str, Any], path: str, **query: Any) -> Any:
    url = f"{demo['url']}/api/v1{path}" + (f"?{urlencode(query)}" if query else "")
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def largest_trace(demo: dict[str, Any]) -> tuple[str, str, int]:
    """(output id, direction, node count) of the demo pipeline's largest trace (the extras left out)."""
    names: set[str] = set()
    for ids in demo["run_ids"].values():
        for run_id in ids:
            run = _get(demo, f"/runs/{run_id}")
            names.update(p["name"] for p in run["inputs"] + run["outputs"])
    sizes = [
        (len(_get(demo, "/trace", output_id=name, direction=direction)["nodes"]), name, direction)
        for name in sorted(names)
        for direction in ("upstream", "downstream")
    ]
    count, name, direction = max(sizes)
    return name, direction, count


def trace_path(output: str, direction: str = "upstream", **query: str) -> str:
    params = {"direction": direction} if direction != "upstream" else {}
    params.update(query)
    return f"/trace/{enc(output)}" + (f"?{urlencode(params)}" if params else "")


def open_graph(page: Page, path: str) -> Locator:
    page.goto(path)
    graph = page.locator('.react-flow[data-layout="done"]')
    expect(graph).to_be_visible(timeout=20_000)
    return graph


def drawn_node_ids(page: Page) -> list[str]:
    return page.locator(".react-flow__node").evaluate_all("nodes => nodes.map((n) => n.dataset.id)")


def focused_node(page: Page) -> str | None:
    return page.evaluate(
        """() => {
          const at = document.activeElement;
          return at?.closest('.react-flow__node')?.dataset.id ?? at?.closest('[data-node-id]')?.dataset.nodeId ?? null;
        }"""
    )


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_demos_largest_trace_reads_at_fit_to_view(
    new_page: Any, demo: dict[str, Any], largest_trace: tuple[str, str, int], theme: str
) -> None:
    name, direction, count = largest_trace
    assert count > 60, largest_trace  # large enough to need folding
    page = new_page(viewport=DESKTOP, color_scheme=theme)
    graph = open_graph(page, trace_path(name, direction))
    drawn = int(graph.get_attribute("data-nodes") or 0)
    assert 0 < drawn <= 60
    expect(page.locator(".react-flow__node")).to_have_count(drawn)
    sizes = page.evaluate(LABEL_SIZES)
    assert sizes["texts"] >= drawn
    assert sizes["smallest"] >= MIN_LABEL_PX, sizes


def test_a_bad_predictions_trace_reads_at_fit_to_view_without_folding(page: Page, demo: dict[str, Any]) -> None:
    bad = demo["bad_prediction_ids"][0]
    graph = open_graph(page, trace_path(bad))
    total = len(_get(demo, "/trace", output_id=bad)["nodes"])
    assert graph.get_attribute("data-nodes") == str(total)
    sizes = page.evaluate(LABEL_SIZES)
    assert sizes["smallest"] >= MIN_LABEL_PX, sizes
    # The five ingest runs are told apart by their run numbers, the raw files by their dates and folders.
    ingest = page.get_by_role("group", name=re.compile(r"^Run \d+: ingest, success$"))
    expect(ingest).to_have_count(5)
    texts = ingest.evaluate_all("nodes => nodes.map((n) => n.innerText)")
    assert len({re.search(r"Run (\d+)", t).group(1) for t in texts}) == 5
    raw = page.locator(".react-flow__node", has_text="data/raw/")
    expect(raw.first).to_be_visible()
    assert len(set(raw.evaluate_all("nodes => nodes.map((n) => n.querySelector('.trace-node-name').innerText)"))) == 5


def test_a_pointer_shows_its_full_name_on_focus(page: Page, demo: dict[str, Any]) -> None:
    bad = demo["bad_prediction_ids"][0]
    open_graph(page, trace_path(bad))
    root = page.get_by_role("group", name=f"endpoint {bad}, flagged")
    expect(root.locator(".trace-node-name")).not_to_have_text(bad)  # cut in the middle
    tip = root.locator(".trace-node-tip")
    expect(tip).to_be_hidden()
    root.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus from the keyboard shows it, as hover does
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(bad)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_trace_opens_at_a_readable_zoom(new_page: Any, demo: dict[str, Any], size: str) -> None:
    options = {"viewport": DESKTOP} if size == "desktop" else {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    page = new_page(**options)
    bad = demo["bad_prediction_ids"][0]
    open_graph(page, trace_path(bad))
    assert page.evaluate(LABEL_SIZES)["smallest"] >= MIN_LABEL_PX
    root = page.get_by_role("group", name=f"endpoint {bad}, flagged")
    expect(root).to_be_in_viewport()
    # The tree as a list is there too, each node a button.
    page.get_by_label("List").check()
    tree = page.get_by_role("list", name="Trace as a list")
    expect(tree.get_by_role("button").first).to_contain_text(bad)
    tree.get_by_role("button", name=re.compile(rf"^ingest · Run {demo['culprit_run_id']}\b")).first.click()
    panel = page.get_by_role("complementary", name="Node details")
    expect(panel.get_by_role("heading", name=f"ingest · Run {demo['culprit_run_id']}")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def tab_through_graph(page: Page, first: Locator, count: int) -> list[str | None]:
    """Focuses `first`, then presses Tab count - 1 times: the node focused at each step."""
    first.focus()
    seen = [focused_node(page)]
    for _ in range(count - 1):
        page.keyboard.press("Tab")
        seen.append(focused_node(page))
    return seen


def test_every_node_is_reached_by_tab_and_opened_by_enter_at_every_zoom(page: Page, demo: dict[str, Any]) -> None:
    bad = demo["bad_prediction_ids"][0]
    graph = open_graph(page, trace_path(bad))
    ids = drawn_node_ids(page)
    assert len(ids) == int(graph.get_attribute("data-nodes") or 0)
    nodes = page.locator(".react-flow__node")
    assert sorted(tab_through_graph(page, nodes.first, len(ids))) == sorted(ids)

    # Enter on each opens its card (runs) or its details (inputs and outputs).
    panel = page.get_by_role("complementary", name="Node details")
    for node_id in ids:
        page.locator(f'.react-flow__node[data-id="{node_id}"]').focus()
        page.keyboard.press("Enter")
        if node_id.startswith("run:"):
            expect(panel.get_by_role("heading", level=2)).to_have_text(re.compile(rf"· Run {node_id[4:]}$"))
            expect(panel.get_by_role("article")).to_be_visible()
        else:
            expect(panel.get_by_role("heading", level=2)).to_have_text(node_id.removeprefix("pointer:"))
        expect(page).to_have_url(re.compile(re.escape(f"node={quote(node_id, safe='')}")))
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)

    # Zoomed far out, where nodes are bare shapes, the keyboard still reaches every one.
    page.get_by_role("button", name="Fit to view").click()
    zoom_out = page.get_by_role("button", name="Zoom Out")
    for _ in range(12):
        zoom_out.click()
    expect(page.locator(".react-flow.detail-block")).to_be_visible()
    assert sorted(tab_through_graph(page, nodes.first, len(ids))) == sorted(ids)
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", level=2)).to_be_visible()


def test_arrow_keys_walk_the_graph_and_bring_nodes_into_view(page: Page, demo: dict[str, Any]) -> None:
    bad = demo["bad_prediction_ids"][0]
    open_graph(page, trace_path(bad))
    root = page.get_by_role("group", name=f"endpoint {bad}, flagged")
    root.focus()
    page.keyboard.press("ArrowUp")
    assert focused_node(page) == page.get_by_role("group", name=re.compile(r"^Run \d+: predict")).get_attribute(
        "data-id"
    )
    # Zoomed in far, walking up reaches the sources at the top, each brought into view when focused.
    for _ in range(4):
        page.get_by_role("button", name="Zoom In").click()
    root.focus()
    visited = set()
    for _ in range(12):
        page.keyboard.press("ArrowUp")
        node_id = focused_node(page)
        assert node_id is not None
        visited.add(node_id)
        expect(page.locator(f'.react-flow__node[data-id="{node_id}"]')).to_be_in_viewport()
    assert any(n.startswith("pointer:s3://") for n in visited), visited


def test_a_large_graph_is_reached_by_keyboard_when_zoomed_out(page: Page, demo: dict[str, Any]) -> None:
    graph = open_graph(page, trace_path(demo["big_output"]))
    drawn = int(graph.get_attribute("data-nodes") or 0)
    blocks = graph.locator("[data-node-id]")
    expect(blocks).to_have_count(drawn)  # fitted, the nodes are the sketch's blocks
    blocks.nth(drawn // 2).focus()
    start = focused_node(page)
    page.keyboard.press("ArrowDown")
    below = focused_node(page)
    assert below is not None and below != start
    page.keyboard.press("Tab")
    assert focused_node(page) not in (None, below)
    page.keyboard.press("Enter")
    panel = page.get_by_role("complementary", name="Node details")
    expect(panel.get_by_role("heading", level=2)).to_be_visible()
    # Picked while too small to read, the node is brought into view at a readable zoom.
    expect(page.locator(".react-flow.detail-full")).to_be_visible()
    assert page.evaluate(LABEL_SIZES)["smallest"] >= MIN_LABEL_PX


def test_a_folded_group_opens_on_enter_and_folds_again(page: Page, demo: dict[str, Any]) -> None:
    graph = open_graph(page, trace_path(demo["culprit_output"], "downstream"))
    before = int(graph.get_attribute("data-nodes") or 0)
    group = page.get_by_role("group", name=re.compile(r"^8 outputs, 8 flagged, folded"))
    expect(group).to_have_count(2)
    group.first.focus()
    page.keyboard.press("Enter")
    expect(graph).to_have_attribute("data-nodes", str(before + 7))
    opened = page.get_by_role("group", name=re.compile(r"^endpoint .+, flagged$"))
    expect(opened).to_have_count(8)
    assert focused_node(page) in opened.evaluate_all("nodes => nodes.map((n) => n.dataset.id)")
    page.get_by_role("button", name="Fold siblings again").click()
    expect(graph).to_have_attribute("data-nodes", str(before))


def test_from_the_review_the_suspect_and_its_path_to_the_flagged_outputs_are_highlighted(
    page: Page, demo: dict[str, Any]
) -> None:
    page.goto("/review")
    train = demo["run_ids"]["train"][1]  # the last training of the simulated days (today's are later)
    link = page.get_by_role("link", name=re.compile(rf"downstream of train · Run {train}: trace$"))
    link.click()
    expect(page).to_have_url(re.compile(rf"/downstream/{train}\?suspect=run%3A{train}$"))
    graph = page.locator('.react-flow[data-layout="done"]')
    expect(graph).to_have_class(re.compile(r"\bhas-path\b"))
    suspect = page.get_by_role("group", name=f"Run {train}: train, success, suspect")
    expect(suspect).to_be_visible()
    expect(suspect.get_by_text("suspect")).to_be_visible()  # a word, not a colour alone
    expect(page.get_by_role("note")).to_contain_text(f"suspect train · Run {train}")
    # The flagged outputs it fed are on the path; predictions of other days are not.
    flagged = graph.locator(".react-flow__node", has=page.locator(".is-flagged"))
    expect(flagged.first).to_be_visible()
    assert flagged.evaluate_all("nodes => nodes.every((n) => n.querySelector('.on-path'))")
    assert graph.locator(".trace-node.off-path").count() > 0
    assert graph.locator(".react-flow__edge.on-path").count() > 0

    # The review's first run, the culprit: everything it fed leads to flagged outputs.
    page.goto("/review")
    culprit = demo["culprit_run_id"]
    page.get_by_role("link", name=re.compile(rf"downstream of ingest · Run {culprit}: trace$")).click()
    expect(page.get_by_role("group", name=f"Run {culprit}: ingest, success, suspect")).to_be_visible()
    expect(graph.locator(".trace-node.on-path").first).to_be_visible()
    assert graph.locator(".trace-node.off-path").count() == 0

    # A flagged output's trace from the review highlights the top suspect's path to it.
    page.goto("/review")
    bad = demo["bad_prediction_ids"][0]
    page.get_by_role("link", name=bad, exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(f"/trace/{enc(bad)}?suspect=run%3A{culprit}") + "$"))
    expect(page.get_by_role("group", name=f"Run {culprit}: ingest, success, suspect")).to_be_visible()
    on_path = graph.locator(".react-flow__node:has(.on-path)").evaluate_all("nodes => nodes.map((n) => n.dataset.id)")
    assert f"run:{culprit}" in on_path and f"pointer:{bad}" in on_path
    assert graph.locator(".trace-node.off-path").count() > 0  # the other days' ingest runs


def test_home_says_how_many_outputs_are_flagged_and_links_the_review(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/")
    flagged = len(demo["bad_prediction_ids"])
    notice = page.get_by_role("status").filter(has_text="flagged")
    expect(notice).to_have_text(re.compile(rf"^⚑ {flagged} outputs are flagged\."))
    notice.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1, name="Review")).to_be_visible()
