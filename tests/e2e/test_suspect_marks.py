"""Suspect marks in real Chromium: what a flag on an intermediate output makes of the runs it fed."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.actions import enc


def test_runs_fed_by_a_flagged_output_say_so_and_unflag_clears_it(page: Page, demo: dict[str, Any]) -> None:
    batch, bad = demo["culprit_output"], demo["bad_prediction_ids"][0]
    flagged = page.request.put(f"/api/v1/flags/{enc(batch)}", data={"reason": "wrong units"})
    assert flagged.ok, flagged.text()
    try:
        page.goto(f"/trace/{enc(bad)}")
        graph = page.locator('.react-flow[data-layout="done"]')
        expect(graph).to_be_visible()
        marked = graph.get_by_role("group", name=re.compile(r"^Run \d+: predict, success, flag upstream"))
        expect(marked).to_have_count(1)
        writer = graph.get_by_role("group", name=re.compile(rf"^Run {demo['culprit_run_id']}: ingest"))
        expect(writer).not_to_have_attribute("aria-label", re.compile("upstream"))
        marked.hover()
        tip = marked.locator(".trace-node-tip")
        expect(tip).to_be_visible()
        expect(tip).to_contain_text(f"downstream of flagged output '{batch}': wrong units")
    finally:
        assert page.request.delete(f"/api/v1/flags/{enc(batch)}").ok
    page.reload()
    expect(page.locator('.react-flow[data-layout="done"]')).to_be_visible()
    expect(page.get_by_role("group", name=re.compile("flag upstream"))).to_have_count(0)
