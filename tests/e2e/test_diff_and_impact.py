"""The trace diff and the impact views in real Chromium over the demo: what they highlight, list and flag."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.actions import enc, run_command
from tests.e2e.test_trace_graph import LABEL_SIZES, MIN_LABEL_PX, open_graph


def api(page: Page, path: str, **query: Any) -> Any:
    response = page.request.get(f"/api/v1/{path}", params=query)
    assert response.ok, response.text()
    return response.json()


def differing_runs(page: Page, good: str, bad: str) -> set[str]:
    """What the diff says differs on the wrong side: its runs of differing pairs and its unpaired runs,
    leaving out runs the right trace holds too."""
    diff = api(page, "diff", a=good, b=bad)
    in_a = {node["id"] for node in api(page, "trace", output_id=good, direction="upstream")["nodes"]}
    runs = {d["b_run_id"] for d in diff["differences"] if d["b_run_id"] is not None}
    runs |= {run["run_id"] for run in diff["only_b"]}
    return {f"run:{run_id}" for run_id in runs} - in_a


def test_the_diff_command_highlights_exactly_the_runs_that_differ(page: Page, demo: dict[str, Any]) -> None:
    good, bad = demo["good_prediction_ids"][0], demo["bad_prediction_ids"][0]
    page.goto("/")
    run_command(page, f"diff {good} {bad}")
    expect(page).to_have_url(re.compile(re.escape(f"/diff/{enc(good)}/{enc(bad)}") + "$"))
    graph = page.locator('.react-flow[data-layout="done"]')
    expect(graph).to_be_visible()
    expected = differing_runs(page, good, bad)
    assert expected, "the demo's good and bad predictions differ"
    nodes = graph.locator(".react-flow__node")
    labels = dict(
        zip(
            nodes.evaluate_all("ns => ns.map(n => n.dataset.id)"),
            nodes.evaluate_all("ns => ns.map(n => n.getAttribute('aria-label'))"),
            strict=True,
        )
    )
    highlighted = {node for node, label in labels.items() if label.endswith(", differs")}
    assert {node for node in highlighted if node.startswith("run:")} == expected
    # What both traces share is drawn once, muted.
    shared = set(labels) - highlighted
    assert any(node.startswith("run:") for node in shared)
    assert graph.locator(".trace-node.on-path").count() == len(highlighted)


def test_picking_a_ranked_difference_selects_its_run(page: Page, demo: dict[str, Any]) -> None:
    good, bad = demo["good_prediction_ids"][0], demo["bad_prediction_ids"][0]
    diff = api(page, "diff", a=good, b=bad)
    page.goto(f"/diff/{enc(good)}/{enc(bad)}")
    ranked = page.get_by_role("list", name="Differences, likeliest cause first").get_by_role("button")
    expect(ranked).to_have_count(len(diff["differences"]))
    expect(ranked.first).to_contain_text("#1 raw input")
    params = next(d for d in diff["differences"] if d["kind"] == "params")
    page.get_by_role("button", name=re.compile(rf"^#{params['rank']} param")).click()
    expect(page).to_have_url(re.compile(rf"node=run%3A{params['b_run_id']}"))
    expect(page.get_by_role("region", name=f"Difference {params['rank']}")).to_contain_text(str(params["b"]))
    expect(page.locator(f'.react-flow__node[data-id="run:{params["b_run_id"]}"] .is-selected')).to_be_visible()
    run_link = page.get_by_role("link", name=f"{params['component']} · Run {params['b_run_id']}")
    expect(run_link).to_have_attribute("href", f"/inspect/{params['b_run_id']}")


def test_compare_with_on_a_trace_opens_the_diff_against_the_right_output(page: Page, demo: dict[str, Any]) -> None:
    good, bad = demo["good_prediction_ids"][0], demo["bad_prediction_ids"][0]
    page.goto(f"/trace/{enc(bad)}")
    page.get_by_role("button", name="Compare with…").click()
    page.get_by_label("Compare with", exact=True).fill(good)
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(f"/diff/{enc(good)}/{enc(bad)}") + "$"))
    expect(page.get_by_role("heading", level=1, name=f"Diff of {bad} against {good}")).to_be_visible()


@pytest.fixture
def restore_flags(page: Page) -> Iterator[None]:
    """Unflags whatever the test flagged: the other browser tests share the demo server."""
    before = {flag["output_id"] for flag in api(page, "flags")["flags"]}
    yield
    for name in {flag["output_id"] for flag in api(page, "flags")["flags"]} - before:
        assert page.request.delete(f"/api/v1/flags/{enc(name)}").ok


def test_flagging_an_impact_after_confirming_shows_the_new_flags_in_the_review(
    page: Page, demo: dict[str, Any], restore_flags: None
) -> None:
    # The first ingest run fed the model, so every prediction since: most of them not flagged.
    first_ingest = demo["run_ids"]["ingest"][0]
    impact = api(page, "impact", id=f"run:{first_ingest}")
    page.goto(f"/inspect/{first_ingest}")
    page.get_by_role("link", name="What did this run affect?").click()
    expect(page.get_by_role("heading", level=1, name=f"What run:{first_ingest} affected")).to_be_visible()
    components = page.get_by_role("region", name="Runs per component").get_by_role("row")
    expect(components).to_have_count(len(impact["components"]) + 1)
    endpoints = impact["endpoints"]
    page.get_by_role("button", name=f"Flag all {endpoints} affected outputs").click()
    dialog = page.get_by_role("dialog", name=f"Flag {endpoints} affected outputs?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name=f"Flag {endpoints} outputs")).to_be_focused()
    dialog.get_by_role("button", name=f"Flag {endpoints} outputs").click()
    to_flag = endpoints - impact["flagged"]
    expect(page.get_by_role("status")).to_contain_text(f"Flagged {to_flag} outputs.")
    expect(dialog).to_have_count(0)
    newly = next(o["output_id"] for o in impact["outputs"] if not o["flagged"])
    page.get_by_role("link", name="See the review").click()
    expect(page.get_by_role("heading", level=1, name="Review")).to_be_visible()
    flagged = page.get_by_role("region", name="Flagged outputs").get_by_role("link")
    expect(flagged).to_have_count(impact["flagged"] + to_flag)
    expect(page.get_by_role("link", name=newly, exact=True)).to_be_visible()


def test_the_impact_command_takes_a_run(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/")
    run_command(page, f"impact run:{demo['culprit_run_id']}")
    expect(page).to_have_url(re.compile(rf"/impact/run%3A{demo['culprit_run_id']}$"))
    expect(page.get_by_role("region", name="Endpoint outputs")).to_be_visible()


def test_a_code_difference_shows_its_lines_added_and_removed(page: Page, demo: dict[str, Any]) -> None:
    before, after = demo["code_outputs"]
    page.goto(f"/diff/{enc(before)}/{enc(after)}")
    code = page.get_by_role("list", name="Differences, likeliest cause first").get_by_role(
        "button", name=re.compile(r"^#\d+ code")
    )
    code.click()
    shown = page.get_by_label("Code diff")
    expect(shown.locator(".diff-removed")).to_have_text("removed: -    return total / len(rows)")
    expect(shown.locator(".diff-added")).to_have_text("added: +    return total / max(len(rows), 1)")
    assert shown.locator(".diff-removed").evaluate("e => getComputedStyle(e).backgroundColor") != shown.locator(
        ".diff-added"
    ).evaluate("e => getComputedStyle(e).backgroundColor")
    # The run of the wrong output differs; the input both read is shared and muted.
    expect(page.get_by_role("group", name=re.compile(r"^Run \d+: score, success, differs$"))).to_have_count(1)
    expect(page.get_by_role("group", name="data scores/input.csv")).to_be_visible()


def test_a_diff_of_two_600_node_traces_leads_straight_to_the_one_difference(page: Page, demo: dict[str, Any]) -> None:
    good, bad = demo["big_output"], demo["big_patched"]
    diff = api(page, "diff", a=good, b=bad)
    sizes = [len(api(page, "trace", output_id=o, direction="upstream")["nodes"]) for o in (good, bad)]
    assert min(sizes) > 500, sizes
    top = diff["differences"][0]
    assert top["kind"] == "code", top
    graph = open_graph(page, f"/diff/{enc(good)}/{enc(bad)}")
    assert int(graph.get_attribute("data-nodes") or 0) > 500
    ranked = page.get_by_role("list", name="Differences, likeliest cause first").get_by_role("button")
    expect(ranked.first).to_contain_text("#1 code")
    ranked.first.click()
    expect(page).to_have_url(re.compile(rf"node=run%3A{top['b_run_id']}"))
    # Picked from the list, the run is brought into view at a zoom where its label reads.
    node = page.locator(f'.react-flow__node[data-id="run:{top["b_run_id"]}"]')
    expect(node).to_be_in_viewport()
    expect(page.locator(".react-flow.detail-full")).to_be_visible()
    assert page.evaluate(LABEL_SIZES)["smallest"] >= MIN_LABEL_PX
    expect(page.get_by_role("region", name="Difference 1").locator(".diff-added")).not_to_have_count(0)
