"""A mistyped SQLite path is an error for queries and `serve`, not a new empty database; logging and
`db upgrade` create the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import mltrace
from mltrace import client as client_module
from mltrace.client import Client
from tests.cli.conftest import runner_for
from tests.ports import free_port


@pytest.mark.parametrize("command", [["recent"], ["history", "train"], ["review"]])
def test_queries_and_serve_refuse_a_sqlite_file_that_does_not_exist(
    tmp_path: Path, mltrace_home: Path, command: list[str]
) -> None:
    missing = tmp_path / "nonexistent" / "dir" / "x.db"
    result = runner_for(f"sqlite:///{missing}")(*command)
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "no SQLite database" in result.output and str(missing) in result.output
    assert not (tmp_path / "nonexistent").exists()


def test_serve_refuses_a_sqlite_file_that_does_not_exist(tmp_path: Path, mltrace_home: Path) -> None:
    missing = tmp_path / "nonexistent" / "x.db"
    command = [sys.executable, "-c", "from mltrace.cli.main import main; main()", "serve", "--port", str(free_port())]
    env = {**os.environ, "MLTRACE_HOME": str(mltrace_home)}
    out = subprocess.run(
        [*command, "--db", f"sqlite:///{missing}"], env=env, capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "no SQLite database" in out.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_db_upgrade_and_logging_create_the_sqlite_file(tmp_path: Path, mltrace_home: Path) -> None:
    upgraded = tmp_path / "new" / "a.db"
    assert runner_for(f"sqlite:///{upgraded}")("db", "upgrade").exit_code == 0
    assert upgraded.exists()
    logged = tmp_path / "other" / "b.db"
    client_module._overrides.clear()
    mltrace.set_db_uri(f"sqlite:///{logged}")
    try:

        @mltrace.register("first")
        def first() -> None:
            pass

        first()
        assert mltrace.flush(30) is True
    finally:
        client_module._overrides.clear()
        client_module._reset_default()
    assert [r.component_name for r in Client(f"sqlite:///{logged}").recent()] == ["first"]
