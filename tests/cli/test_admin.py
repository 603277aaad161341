"""`mltrace db upgrade`, `db clean` and `serve`, and the installed `mltrace` entry point."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from mltrace.client import Client
from mltrace.db.migrate import head_revision
from mltrace.samples import DemoInfo
from tests.cli.conftest import Invoke, one_line_error
from tests.ports import free_port


def mltrace_executable() -> str:
    """The `mltrace` console script installed next to this interpreter (or on PATH)."""
    beside = Path(sys.executable).parent / "mltrace"
    found = str(beside) if beside.exists() else shutil.which("mltrace")
    if found is None:
        pytest.fail("the mltrace console script is not installed (pip install -e .)")
    return found


def test_db_upgrade_creates_the_schema_in_an_empty_database(mltrace_cli: Invoke, db_uri: str) -> None:
    result = mltrace_cli("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"is at the newest schema (revision {head_revision()})" in result.stdout
    engine = create_engine(db_uri.replace("postgresql://", "postgresql+psycopg2://"))
    try:
        assert {"component_runs", "components", "alembic_version"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert mltrace_cli("db", "upgrade").exit_code == 0  # nothing to do the second time


def test_db_clean_asks_first_and_keeps_the_data_when_told_no(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    result = mltrace_cli("db", "clean", input="n\n")
    assert result.exit_code == 1
    assert "Delete everything in" in result.stdout
    assert result.stderr == "Aborted.\n"
    assert Client(demo.db_uri).recent(1)


def test_db_clean_yes_deletes_everything(demo: DemoInfo, mltrace_cli: Invoke) -> None:
    result = mltrace_cli("db", "clean", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Deleted everything in ")
    assert Client(demo.db_uri).recent(1) == []
    assert mltrace_cli("components").stdout == "No components match.\n"


def test_db_clean_hides_the_password_of_the_uri(tmp_path: Path, mltrace_home: Path) -> None:
    from mltrace.cli.admin import shown

    assert shown("postgresql://ana:s3cret@db.example:5432/mltrace") == "postgresql://ana:***@db.example:5432/mltrace"
    assert shown(f"sqlite:///{tmp_path}/x.db") == f"sqlite:///{tmp_path}/x.db"


def test_the_installed_entry_point_runs_queries_and_reports_errors(tmp_path: Path, mltrace_home: Path) -> None:
    exe = mltrace_executable()
    (tmp_path / "entry.db").touch()
    uri = f"sqlite:///{tmp_path / 'entry.db'}"
    ok = subprocess.run([exe, "--db", uri, "recent"], capture_output=True, text=True, timeout=60)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "No runs logged yet.\n", "")
    bad = subprocess.run([exe, "inspect", "abc", "--db", uri], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    missing = subprocess.run([exe, "inspect", "7", "--db", uri], capture_output=True, text=True, timeout=60)
    assert (missing.returncode, missing.stderr) == (1, "Error: Run 7 not found.\n")


def test_serve_answers_health_and_the_console(tmp_path: Path, mltrace_home: Path) -> None:
    port = free_port()
    (tmp_path / "served.db").touch()
    uri = f"sqlite:///{tmp_path / 'served.db'}"
    env = {**os.environ, "MLTRACE_HOME": str(mltrace_home)}
    server = subprocess.Popen(
        [mltrace_executable(), "serve", "--port", str(port), "--workers", "1", "--db", uri],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        health = _get_when_up(f"http://127.0.0.1:{port}/api/v1/health", server)
        assert json.loads(health) == {"status": "ok", "version": _version(), "database": "sqlite"}
        assert b"<html" in _get_when_up(f"http://127.0.0.1:{port}/", server).lower()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            _, stderr = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, stderr = server.communicate()
    assert f"serving {uri} on http://127.0.0.1:{port}".encode() in stderr


def _get_when_up(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _version() -> str:
    import mltrace

    return mltrace.__version__


def test_serve_refuses_a_server_address(mltrace_cli: Invoke) -> None:
    result = mltrace_cli("serve", "--server", "http://elsewhere:8080")
    assert result.exit_code == 2
    one_line_error(result)
