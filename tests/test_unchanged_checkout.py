"""The check that fails a test run which changed the checkout: what `changed_files` sees."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.unchanged_checkout import changed_files


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True)


def test_changed_files_sees_modified_deleted_and_untracked_files_but_not_ignored_ones(tmp_path: Path) -> None:
    _git("init", "--quiet", cwd=tmp_path)
    (tmp_path / ".gitignore").write_text("build/\n")
    for name in ("kept.png", "changed.png", "deleted.png"):
        (tmp_path / name).write_bytes(name.encode())
    _git("add", ".", cwd=tmp_path)
    _git("commit", "--quiet", "-m", "start", cwd=tmp_path)
    assert changed_files(tmp_path) == {}

    (tmp_path / "changed.png").write_bytes(b"rewritten")
    (tmp_path / "deleted.png").unlink()
    (tmp_path / "new.txt").write_text("left behind")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "shot.png").write_bytes(b"ignored")
    first = changed_files(tmp_path)
    assert set(first) == {"changed.png", "deleted.png", "new.txt"}

    (tmp_path / "changed.png").write_bytes(b"rewritten again")  # changed again: a different digest
    assert changed_files(tmp_path)["changed.png"] != first["changed.png"]


def test_outside_a_checkout_nothing_is_reported(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("not tracked by anything")
    assert changed_files(tmp_path) == {}
