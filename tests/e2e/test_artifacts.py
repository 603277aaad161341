"""The run page of a cached step, as a person uses it: the run it reused one click away, and each stored output
downloadable, the download holding exactly the stored bytes."""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from mltrace.cli.text import size  # the console shows sizes as the command line does


def test_the_download_link_on_the_run_page_returns_the_stored_bytes(page: Page, demo: dict[str, Any]) -> None:
    cached = demo["cached_run_ids"][-1]
    with urllib.request.urlopen(f"{demo['url']}/api/v1/artifacts?run={cached}") as response:
        (stored,) = json.loads(response.read())["artifacts"]
    page.goto(f"/inspect/{cached}")
    card = page.get_by_role("article", name=f"Run {cached} details")
    expect(card.locator(".badge", has_text="cached")).to_be_visible()
    link = card.get_by_role("link", name=f"Download {stored['name']} ({size(stored['size'])})", exact=True)
    expect(link).to_be_visible()
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.suggested_filename == Path(stored["name"]).name
    data = Path(download.path()).read_bytes()
    assert len(data) == stored["size"] and hashlib.sha256(data).hexdigest() == stored["hash"]


def test_a_cached_run_links_to_the_run_it_reused(page: Page, demo: dict[str, Any]) -> None:
    cached = demo["cached_run_ids"][-1]
    page.goto(f"/inspect/{cached}")
    card = page.get_by_role("article", name=f"Run {cached} details")
    reused = card.get_by_role("link", name=re.compile(r"^run \d+$"))
    expect(reused).to_be_visible()
    reused.click()
    expect(page).to_have_url(re.compile(r"/inspect/\d+$"))
    expect(page.locator(".run-card-title .badge")).to_have_text("success")
