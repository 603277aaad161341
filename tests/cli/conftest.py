"""Fixtures for the command-line tests: the demo pipeline in fresh databases and runners over them.

Read-only tests share one demo database per module and backend (`shown_demo`, `show`); tests
that change data get their own (`demo`, `mltrace_cli`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import mltrace
from mltrace import client as client_module
from mltrace.cli.main import cli
from mltrace.db.store import dispose_engines
from mltrace.samples import DemoInfo, build_demo
from tests.conftest import drop_schema, fresh_postgres_uri

Invoke = Callable[..., Result]
_CLEAN_ENV = ("MLTRACE_DB_URI", "DB_URI", "MLTRACE_SERVER_URL")


def runner_for(db_uri: str) -> Invoke:
    """`invoke(*args)` runs `mltrace ARGS --db db_uri` in-process; `db=False` leaves --db out."""
    runner = CliRunner()

    def invoke(*args: str, db: bool = True, input: str | None = None) -> Result:
        argv = [*args, "--db", db_uri] if db else list(args)
        return runner.invoke(cli, argv, input=input, prog_name="mltrace")

    return invoke


@pytest.fixture
def demo(logging_to: str, tmp_path: Path) -> DemoInfo:
    """The demo pipeline (a week of runs, one bad raw batch, its predictions flagged) in a fresh `db_uri`."""
    return build_demo(logging_to, tmp_path / "work")


@pytest.fixture
def mltrace_cli(db_uri: str, mltrace_home: Path) -> Invoke:
    """The command line over the fresh `db_uri`."""
    return runner_for(db_uri)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shown_demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoInfo]:
    """One demo database per module and backend, for tests that only read."""
    folder = tmp_path_factory.mktemp("demo")
    schema = None
    if request.param == "sqlite":
        uri = f"sqlite:///{folder / 'mltrace.db'}"
    else:
        database = request.getfixturevalue("pg_database")
        uri, schema = fresh_postgres_uri(database)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLTRACE_HOME", str(folder / "home"))
        mp.setenv("MLTRACE_FLUSH_INTERVAL", "0.01")
        for name in _CLEAN_ENV:
            mp.delenv(name, raising=False)
        client_module._overrides.clear()
        try:
            info = build_demo(uri, folder / "work")
        finally:
            mltrace.flush(10)
            client_module._overrides.clear()
            client_module._reset_default()
    yield info
    if schema is not None:
        dispose_engines()
        drop_schema(request.getfixturevalue("pg_database"), schema)


@pytest.fixture
def show(shown_demo: DemoInfo, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """The command line over the shared demo database."""
    for name in _CLEAN_ENV:
        monkeypatch.delenv(name, raising=False)
    return runner_for(shown_demo.db_uri)


def one_line_error(result: Result) -> str:
    """The single stderr line of a failed command (asserting there is exactly one and no traceback)."""
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]
