"""A pytest plugin that fails the run when the tests changed what git tracks: they write to tmp dirs and ignored
folders only (`git status --porcelain` is the same after the run as before it)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BEFORE = pytest.StashKey[dict[str, str]]()


def changed_files(root: Path = ROOT) -> dict[str, str]:
    """Each path `git status` lists (modified, deleted or untracked, not ignored) with a digest of its content;
    empty outside a git checkout."""
    try:
        listed = subprocess.run(
            ["git", "status", "--porcelain", "-z", "--untracked-files=all"],
            cwd=root,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        return {}
    entries = iter(listed.split("\0"))
    changed = {}
    for entry in entries:
        if not entry:
            continue
        status, path = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            next(entries, None)  # a rename's second field is its old path
        file = root / path
        changed[path] = hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else status
    return changed


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        session.config.stash[BEFORE] = changed_files()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controlling process checks once, at the end
        return
    before, after = session.config.stash.get(BEFORE, {}), changed_files()
    touched = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    if touched:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (
            f"the tests changed files in the checkout (write to tmp_path or an ignored folder): {' '.join(touched)}"
        )
        if reporter is not None:
            reporter.write("\n")
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
