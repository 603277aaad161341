"""Which Chromium the browser tests and the browser benchmark drive, how it is launched, and what to do without one.

The browser tests need Chromium: `MLTRACE_CHROMIUM`, else `chromium`, `chromium-browser` or `google-chrome` on
PATH. They never skip for want of it; only `MLTRACE_SKIP_BROWSER=1` leaves them out. `python -m tests.e2e.chromium`
(the first step of `make test`) installs Debian's package when it can (root with apt-get), else stops with one
line saying what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# Headless, and nothing in the background (updates, sync, field trials) competing with the page.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_VARIABLE = "MLTRACE_SKIP_BROWSER"
APT_PACKAGES = ["chromium", "fonts-dejavu-core"]  # the fonts keep screenshots the same from machine to machine
INSTALL_ADVICE = (
    "the browser tests need Chromium: install it (Debian and Ubuntu: apt-get install chromium), "
    "or point MLTRACE_CHROMIUM at a Chromium or Chrome, or set MLTRACE_SKIP_BROWSER=1 to leave them out"
)


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


def browser_tests_skipped() -> bool:
    """True when the user opted out of the browser tests (MLTRACE_SKIP_BROWSER=1)."""
    return os.environ.get(SKIP_VARIABLE) == "1"


def missing_chromium() -> str | None:
    """One line saying what to install or set when the browser tests have no Chromium to drive, else None."""
    explicit = os.environ.get("MLTRACE_CHROMIUM")
    if explicit and not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
        return f"MLTRACE_CHROMIUM={explicit} is not an executable file: point it at a Chromium or Chrome, or unset it"
    return None if chromium_path() else INSTALL_ADVICE


def ensure_chromium() -> int:
    """Exit status of the `make test` step: 0 with a Chromium (installed here with apt-get when run as root)
    or with the browser tests left out, else 1 after one line on stderr."""
    if browser_tests_skipped():
        return 0
    missing = missing_chromium()
    if missing == INSTALL_ADVICE and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing {' '.join(APT_PACKAGES)} with apt-get for the browser tests", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        steps = [
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES],
        ]
        if all(subprocess.run(step, env=env, stdout=subprocess.DEVNULL).returncode == 0 for step in steps):
            missing = missing_chromium()
    if missing:
        print(f"make test: {missing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(ensure_chromium())
