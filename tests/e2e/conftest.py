"""Browser-test fixtures: the built console served over the sample pipeline, and real Chromium.

The demo server runs in its own process (its module-level mltrace state stays out of the test
process). The console is built first when it is missing or older than its sources (build_console.py).
Without Chromium the browser tests fail (chromium.py says what to install); `MLTRACE_SKIP_BROWSER=1`
leaves them out. `MLTRACE_DEMO_NOW` (ISO 8601) stores the demo as if that were the time, for
screenshots that change only when the console does.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import build_console
from tests.e2e.chromium import CHROMIUM_ARGS, SKIP_VARIABLE, browser_tests_skipped, chromium_path, missing_chromium

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"
STATIC = ROOT / "mltrace" / "server" / "static"
DEMO_NOW_VARIABLE = "MLTRACE_DEMO_NOW"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One demo server per worker is enough: keep every browser test on the same xdist worker.
    left_out = (
        pytest.mark.skip(reason=f"{SKIP_VARIABLE}=1: browser tests left out") if browser_tests_skipped() else None
    )
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))
            if left_out is not None:
                item.add_marker(left_out)


def _build_console() -> None:
    """The console built when missing or older than its sources, under a lock so that parallel runs build once."""
    (ROOT / "build").mkdir(exist_ok=True)  # ignored by git, left out of the sdist
    with open(ROOT / "build" / "console-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            build_console.build_console(UI, STATIC)
        except build_console.ConsoleBuildError as error:
            pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The running demo server: `url`, `now` (the time the demo was stored at, ISO 8601) plus what `build_demo`
    and the extras stored."""
    _build_console()
    folder = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "MLTRACE_HOME": str(folder / "home"), "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    env.pop("MLTRACE_SERVER_URL", None)
    env.pop("MLTRACE_DB_URI", None)
    env.pop("DB_URI", None)
    db = f"sqlite:///{folder / 'demo.db'}"
    module = [sys.executable, "-m", "tests.e2e.demo_server"]
    now = os.environ.get(DEMO_NOW_VARIABLE)
    built = subprocess.run(
        [*module, "build", "--db", db, "--workdir", str(folder / "work"), *(["--now", now] if now else [])],
        cwd=folder,  # outside any git checkout: the decorators' runs carry no commit to change every screenshot
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if built.returncode != 0:
        pytest.fail(f"the demo could not be stored:\n{built.stderr[-4000:]}")
    info = json.loads(built.stdout.strip().splitlines()[-1])
    log = open(folder / "server.log", "w+")  # noqa: SIM115 (closed when the server stops)
    process = subprocess.Popen(
        [*module, "serve", "--db", db], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            log.seek(0)
            pytest.fail(f"the demo server did not start:\n{log.read()[-4000:]}")
        info["url"] = f"http://127.0.0.1:{json.loads(line)['port']}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{info['url']}/api/v1/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield info
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.stdout is not None:
            process.stdout.close()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (chromium.py says which); without one the browser tests fail, they never skip."""
    missing = missing_chromium()
    if missing:
        pytest.fail(missing, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _new_page(browser: Any, demo: dict[str, Any], **context_options: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=demo["url"], **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []  # uncaught exceptions and alert() dialogs in the page fail the test

    def on_dialog(dialog: Any) -> None:
        errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", on_dialog)
    yield page
    context.close()
    assert errors == [], f"the page raised: {errors}"


@pytest.fixture
def page(browser: Any, demo: dict[str, Any]) -> Iterator[Any]:
    """A fresh page (own storage) at 1280×800 on the demo server, in a time zone far from UTC."""
    yield from _new_page(browser, demo, viewport={"width": 1280, "height": 800}, timezone_id="Asia/Tokyo")


@pytest.fixture
def new_page(browser: Any, demo: dict[str, Any]) -> Iterator[Callable[..., Any]]:
    """Opens pages with the given context options (viewport, color_scheme…), each checked and closed like `page`."""
    opened: list[Iterator[Any]] = []

    def open_page(**context_options: Any) -> Any:
        pages = _new_page(browser, demo, **context_options)
        opened.append(pages)
        return next(pages)

    yield open_page
    for pages in opened:
        next(pages, None)


@pytest.fixture
def phone(browser: Any, demo: dict[str, Any]) -> Iterator[Any]:
    """A fresh page 390 px wide."""
    yield from _new_page(browser, demo, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
