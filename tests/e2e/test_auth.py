"""The console against a server that requires tokens (gunicorn, MLTRACE_AUTH=required): it asks for a token once,
keeps it for the tab, says clearly when a token is refused or too small, and a flag it sets is in the audit trail
with the token's name, on the run's page too."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from mltrace.client import Client
from tests.e2e.conftest import _build_console, _new_page
from tests.server.live import LiveServer, live_server
from tests.server.sample import PIPELINE_RECORDS, Pipeline

CACHE_SECONDS = 0.5


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    _build_console()
    folder = tmp_path_factory.mktemp("e2e-auth")
    uri = f"sqlite:///{folder / 'auth.db'}"
    client = Client(uri)
    pipeline = Pipeline(*client.ingest(list(PIPELINE_RECORDS)))
    secrets = {
        name: client.create_token(name, scope)[1] for name, scope in [("e2e-reader", "read"), ("e2e-writer", "write")]
    }
    env = {"MLTRACE_AUTH": "required", "MLTRACE_AUTH_CACHE_SECONDS": str(CACHE_SECONDS)}
    with live_server(uri, folder, env, workers=1) as live:
        yield {"url": live.url, "live": live, "pipeline": pipeline, "tokens": secrets, "client": client}


@pytest.fixture
def tab(browser: Any, locked: dict[str, Any]) -> Iterator[Page]:
    yield from _new_page(browser, locked, viewport={"width": 1280, "height": 800})


def enter_token(page: Page, token: str, refused: bool = False) -> None:
    dialog = page.get_by_role("dialog", name="API token needed")
    expect(dialog).to_contain_text("refused the token" if refused else "requires an API token")
    dialog.get_by_label("API token").fill(token)
    dialog.get_by_role("button", name="Use token").click()
    expect(dialog).to_be_hidden()


def test_the_console_asks_once_and_a_reader_is_told_it_cannot_flag(tab: Page, locked: dict[str, Any]) -> None:
    run = locked["pipeline"].predict
    tab.goto(f"/inspect/{run}")
    expect(tab.get_by_role("dialog", name="API token needed")).to_have_count(1)
    enter_token(tab, locked["tokens"]["e2e-reader"])
    card = tab.get_by_role("article", name=f"Run {run} details")
    expect(card).to_be_visible()
    tab.reload()  # kept for the tab: no second prompt
    expect(card).to_be_visible()
    expect(tab.get_by_role("dialog", name="API token needed")).to_have_count(0)
    card.get_by_role("button", name="Flag pred/1").click()
    expect(card.get_by_role("alert")).to_contain_text("Not allowed with this token")
    expect(card.get_by_role("alert")).to_contain_text("read scope")


def test_a_flag_is_recorded_with_the_tokens_name_and_shown_on_the_run(tab: Page, locked: dict[str, Any]) -> None:
    run, live = locked["pipeline"].predict, locked["live"]
    tab.goto(f"/inspect/{run}")
    enter_token(tab, locked["tokens"]["e2e-writer"])
    card = tab.get_by_role("article", name=f"Run {run} details")
    with tab.expect_response(lambda r: r.request.method == "PUT" and "/api/v1/flags/" in r.url) as put:
        card.get_by_role("button", name="Flag pred/2").click()
    assert put.value.status == 200
    assert put.value.request.headers["authorization"] == f"Bearer {locked['tokens']['e2e-writer']}"
    history = card.get_by_role("region", name="History of changes")
    expect(history).to_contain_text(re.compile(r"e2e-writer\s+flagged pred/2"))
    reader = {"Authorization": f"Bearer {locked['tokens']['e2e-reader']}"}
    entries = live.call("GET", "/api/v1/audit?output_id=pred/2", headers=reader).json["entries"]
    assert [(e["actor"], e["action"]) for e in entries] == [("e2e-writer", "flag")]


def test_a_revoked_token_brings_the_prompt_back_with_why(browser: Any, locked: dict[str, Any]) -> None:
    client: Client = locked["client"]
    _, secret = client.create_token("e2e-soon-revoked", "read")
    for page in _new_page(browser, locked, viewport={"width": 1280, "height": 800}):
        page.goto("/recent")
        enter_token(page, secret)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        client.revoke_token("e2e-soon-revoked")
        time.sleep(CACHE_SECONDS + 0.3)
        page.reload()
        enter_token(page, locked["tokens"]["e2e-reader"], refused=True)
        expect(page.get_by_role("alert")).to_have_count(0)


def test_the_login_less_pages_stay_reachable(locked: dict[str, Any]) -> None:
    live: LiveServer = locked["live"]
    assert live.call("GET", "/").status == 200
    assert live.call("GET", "/api/v1/health").status == 200
    assert Path(live.log).exists()
