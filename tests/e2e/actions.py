"""What the browser tests do the way a person would: type a command, open an id's page."""

from __future__ import annotations

from urllib.parse import quote

from playwright.sync_api import Page


def enc(value: str) -> str:
    """An id as the console puts it in a path (encodeURIComponent)."""
    return quote(value, safe="-_.!~*'()")


def run_command(page: Page, line: str) -> None:
    """Types `line` into the command bar and runs it."""
    bar = page.get_by_label("Command")
    bar.fill(line)
    bar.press("Enter")
