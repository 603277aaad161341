"""Which Chromium the browser tests and the browser benchmark drive, and how it is launched."""

from __future__ import annotations

import os
import shutil

# Headless, and nothing in the background (updates, sync, field trials) competing with the page.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """MLTRACE_CHROMIUM, else the system's Chromium (None: Playwright's own download, if any)."""
    explicit = os.environ.get("MLTRACE_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None
