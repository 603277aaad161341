"""The console works under the server's Content-Security-Policy: every view, in real Chromium, without a violation."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from playwright.sync_api import Page, expect

from mltrace.server.security import CONTENT_SECURITY_POLICY

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_every_view_renders_without_a_policy_violation(page: Page, demo: dict[str, Any]) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    response = page.goto("/")
    assert response is not None and response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    expect(page.get_by_role("heading", level=1, name="Recent runs")).to_be_visible()
    views = [
        (f"/trace/{quote(demo['culprit_output'], safe='')}", ".react-flow"),
        (f"/inspect/{demo['culprit_run_id']}", "text=Notes"),
        ("/review", "h1"),
        ("/history/predict/10", "h1"),
    ]
    for path, ready in views:
        page.goto(path)
        expect(page.locator(ready).first).to_be_visible()
        page.keyboard.press("/")  # the command bar and its completion list
        page.keyboard.type("tra")
        page.wait_for_timeout(300)
        violations = page.evaluate("window.__violations")
        assert violations == [], f"{path}: {violations}"
    assert not [m for m in messages if "Content Security Policy" in m], messages
