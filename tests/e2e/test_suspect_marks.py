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
        reason = f"downstream of flagged output '{batch}': wrong units"
        expect(tip).to_contain_text(reason)
        predict = int((marked.get_attribute("aria-label") or "").split(":")[0].removeprefix("Run "))
        # The run page says why, and links to the flagged output's trace.
        page.goto(f"/inspect/{predict}")
        card = page.get_by_role("article", name=f"Run {predict} details")
        expect(card.get_by_label("flag upstream").first).to_be_visible()
        problems = card.get_by_role("region", name="Upstream problems")
        expect(problems).to_contain_text(reason)
        expect(problems.get_by_role("link", name="(trace)")).to_have_attribute("href", f"/trace/{enc(batch)}")
        # Recent marks it too, and not the ingest run that wrote the flagged batch.
        page.goto("/recent")
        expect(page.get_by_role("article", name=f"Run {predict}").get_by_label("flag upstream")).to_be_visible()
        writer_card = page.get_by_role("article", name=f"Run {demo['culprit_run_id']}")
        if writer_card.count():
            expect(writer_card.get_by_label("flag upstream")).to_have_count(0)
    finally:
        assert page.request.delete(f"/api/v1/flags/{enc(batch)}").ok
    page.goto(f"/trace/{enc(bad)}")
    expect(page.locator('.react-flow[data-layout="done"]')).to_be_visible()
    expect(page.get_by_role("group", name=re.compile("flag upstream"))).to_have_count(0)
