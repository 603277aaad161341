"""Chromium is a prerequisite of `make test`: it is installed or named in one line, and a browser test never
skips for want of it (only MLTRACE_SKIP_BROWSER=1 leaves the browser tests out)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.chromium import INSTALL_ADVICE, missing_chromium

ROOT = Path(__file__).resolve().parents[1]
ONE_BROWSER_TEST = ["tests/e2e/test_screenshots.py", "-k", "every_view and help and light"]


def _without_chromium(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment whose PATH holds no browser and no apt-get (only make and python3)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, target in (("make", "/usr/bin/make"), ("python3", sys.executable)):
        if not (bin_dir / name).exists():
            (bin_dir / name).symlink_to(target)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLTRACE_", "MAKE", "MFLAGS"))}  # not in make
    env.update(PATH=str(bin_dir), **extra)
    return env


def _pytest(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_make_test_stops_at_once_with_one_line_naming_what_to_install(tmp_path: Path) -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "test"],
        cwd=ROOT,
        env=_without_chromium(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    ours, *rest = done.stderr.splitlines()
    assert ours == f"make test: {INSTALL_ADVICE}"
    assert "apt-get install chromium" in ours and "MLTRACE_SKIP_BROWSER=1" in ours
    assert all(line.startswith("make: ***") for line in rest), done.stderr


def test_a_browser_test_fails_without_chromium_instead_of_skipping(tmp_path: Path) -> None:
    done = _pytest(*ONE_BROWSER_TEST, env=_without_chromium(tmp_path))
    assert done.returncode == 1, done.stdout
    assert "1 error" in done.stdout and "skipped" not in done.stdout, done.stdout
    assert INSTALL_ADVICE in done.stdout
    assert "playwright install" not in done.stdout + done.stderr


def test_a_chromium_named_but_missing_is_an_error_too(tmp_path: Path) -> None:
    done = _pytest(*ONE_BROWSER_TEST, env=_without_chromium(tmp_path, MLTRACE_CHROMIUM=str(tmp_path / "chrome")))
    assert done.returncode == 1 and "skipped" not in done.stdout, done.stdout
    assert f"MLTRACE_CHROMIUM={tmp_path / 'chrome'} is not an executable file" in done.stdout


def test_only_mltrace_skip_browser_leaves_the_browser_tests_out(tmp_path: Path) -> None:
    done = _pytest(*ONE_BROWSER_TEST, env=_without_chromium(tmp_path, MLTRACE_SKIP_BROWSER="1"))
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout and "MLTRACE_SKIP_BROWSER=1: browser tests left out" in done.stdout
    check = subprocess.run(
        [sys.executable, "-m", "tests.e2e.chromium"],
        cwd=ROOT,
        env=_without_chromium(tmp_path, MLTRACE_SKIP_BROWSER="1"),
        capture_output=True,
        text=True,
    )
    assert (check.returncode, check.stdout, check.stderr) == (0, "", "")


def test_the_browser_tests_drive_the_chromium_found_on_path_or_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLTRACE_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert missing_chromium() == INSTALL_ADVICE
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    assert missing_chromium() is None
    monkeypatch.setenv("MLTRACE_CHROMIUM", str(browser))
    assert missing_chromium() is None
