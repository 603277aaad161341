"""Git commit and tags of the working directory, read once per process."""

from __future__ import annotations

import functools
import subprocess

from mltrace.entities import ComponentRun


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


@functools.lru_cache(maxsize=1)
def get_git_hash() -> str | None:
    """The commit checked out in the current directory's repository, or None."""
    return _git("rev-parse", "HEAD") or None


@functools.lru_cache(maxsize=1)
def get_git_tags() -> list[str]:
    """The tags pointing at that commit."""
    out = _git("tag", "--points-at", "HEAD")
    return [t for t in (out or "").splitlines() if t]


def fill_git_info(records: list[ComponentRun]) -> None:
    """Adds the process's git commit and tags to records captured without them."""
    for record in records:
        if record.git_hash is None:
            record.git_hash = get_git_hash()
            record.git_tags = record.git_tags or list(get_git_tags())


def fill_known_git_info(records: list[ComponentRun]) -> None:
    """`fill_git_info` if this process has read its git information already (so it never waits for git)."""
    if get_git_hash.cache_info().currsize and get_git_tags.cache_info().currsize:
        fill_git_info(records)


def warm_git_info() -> None:
    """Reads the commit and tags now (the writer thread does it first, so the caller never runs git)."""
    get_git_hash()
    get_git_tags()
