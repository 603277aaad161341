"""`make demo` and `populate_db.py` as a newcomer runs them: the demo keeps to its own database, a busy port
stops it before anything happens, and the commands it prints work as printed."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrace.client import Client

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
# The README's first example, as a user's own pipeline logs it into the embedded default database.
OWN_RUN = """
import mltrace

@mltrace.register("my-train", input_vars=["features"], output_vars=["model"])
def train(features):
    model = features + ".model"
    return model

train("my-features.csv")
assert mltrace.flush(30)
"""


def _env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a shell where the virtualenv is not activated (its bin/ is not on PATH), outside make."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLTRACE_", "DB_URI", "MAKE", "MFLAGS"))}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p).resolve() != VENV_BIN.resolve()]
    env.update(PATH=os.pathsep.join(path), MLTRACE_HOME=str(home), MLTRACE_FLUSH_INTERVAL="0.01", **extra)
    return env


def _log_own_run(home: Path, db_uri: str | None = None) -> None:
    extra = {"MLTRACE_DB_URI": db_uri} if db_uri else {}
    done = subprocess.run([sys.executable, "-c", OWN_RUN], env=_env(home, **extra), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _populate(*args: str, home: Path, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "populate_db.py", *args],
        cwd=ROOT,
        env=_env(home),
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _components(uri: str) -> set[str]:
    return {run.component_name for run in Client(uri).recent(500)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_reset_of_a_database_holding_other_runs_needs_yes_when_it_cannot_ask(
    db_uri: str, mltrace_home: Path, tmp_path: Path
) -> None:
    _log_own_run(mltrace_home, db_uri)
    refused = _populate("--db", db_uri, "--reset", home=mltrace_home)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "my-train" in refused.stderr and "--yes" in refused.stderr
    assert _components(db_uri) == {"my-train"}  # nothing deleted, nothing added

    replaced = _populate("--db", db_uri, "--reset", "--yes", home=mltrace_home)
    assert replaced.returncode == 0, replaced.stderr
    assert _components(db_uri) == {"ingest", "clean", "featurize", "train", "predict"}

    again = _populate("--db", db_uri, "--reset", home=mltrace_home)  # only the demo's runs: no question
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("answer, kept", [("n\n", True), ("y\n", False)])
def test_reset_of_a_database_holding_other_runs_asks_at_a_terminal(
    answer: str, kept: bool, mltrace_home: Path, tmp_path: Path
) -> None:
    uri = f"sqlite:///{tmp_path / 'mine.db'}"
    _log_own_run(mltrace_home, uri)
    terminal, typed = os.openpty()
    try:
        os.write(terminal, answer.encode())
        done = _populate("--db", uri, "--reset", home=mltrace_home, stdin=typed)
    finally:
        os.close(terminal)
        os.close(typed)
    assert "holds runs that are not the demo's (components my-train). Delete everything in it? [y/N]" in done.stdout
    assert (done.returncode, "my-train" in _components(uri)) == ((1, True) if kept else (0, False))


def test_populate_db_fills_the_demos_own_database_and_prints_commands_that_work_as_printed(
    mltrace_home: Path,
) -> None:
    _log_own_run(mltrace_home)  # into the embedded default, $MLTRACE_HOME/mltrace.db
    own = f"sqlite:///{mltrace_home / 'mltrace.db'}"
    done = _populate("--reset", home=mltrace_home)
    assert done.returncode == 0, done.stderr
    assert _components(own) == {"my-train"}
    assert "ingest" in _components(f"sqlite:///{mltrace_home / 'demo.db'}")
    commands = [line.strip() for line in done.stdout.splitlines() if line.startswith("  ")]
    assert len(commands) == 5 and all(c.startswith(".venv/bin/mltrace --db sqlite:///") for c in commands), commands
    for command in commands:
        ran = subprocess.run(shlex.split(command), cwd=ROOT, env=_env(mltrace_home), capture_output=True, text=True)
        assert ran.returncode == 0, f"{command}: {ran.stderr}"
        assert "my-train" not in ran.stdout


def test_make_demo_with_its_port_taken_stops_first_with_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _log_own_run(home)
    own = (home / "mltrace.db").read_bytes()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            ["make", "--no-print-directory", "demo", f"DEMO_PORT={port}"],
            cwd=ROOT,
            env=_env(home),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode != 0
    assert done.stdout == ""
    ours, *rest = done.stderr.splitlines()
    assert ours == f"make demo: port {port} is taken or not a port; pick another: make demo DEMO_PORT=8081"
    assert all(line.startswith("make: ***") for line in rest), done.stderr  # make's own last word only
    assert not (home / "demo.db").exists() and (home / "mltrace.db").read_bytes() == own


@pytest.fixture
def make_demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    """`make demo` on a free port with its own MLTRACE_HOME, stopped (with its server) afterwards."""
    home, port = tmp_path / "home", _free_port()
    _log_own_run(home)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "demo", f"DEMO_PORT={port}"],
        cwd=ROOT,
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield process, port, home
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


@pytest.mark.slow
def test_make_demo_keeps_the_users_own_database_and_its_hints_work_as_printed(
    make_demo: tuple[subprocess.Popen[str], int, Path],
) -> None:
    process, port, home = make_demo
    assert process.stdout is not None
    printed = []
    for line in process.stdout:
        printed.append(line)
        if "Ctrl-C stops the server" in line:
            break
    output = "".join(printed)
    assert "Ctrl-C stops the server" in output, output
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as answer:
                assert answer.status == 200
                break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, output
            time.sleep(0.2)

    hint = re.search(r"in another terminal: (.+)", output)
    assert hint is not None, output
    assert hint.group(1) == f".venv/bin/mltrace --server http://127.0.0.1:{port} review"
    commands = [hint.group(1), *(line.strip() for line in printed if line.startswith("  .venv/bin/mltrace "))]
    assert len(commands) == 6, output
    for command in commands:
        ran = subprocess.run(shlex.split(command), cwd=ROOT, env=_env(home), capture_output=True, text=True)
        assert ran.returncode == 0, f"{command}: {ran.stderr}"
    review = subprocess.run(shlex.split(hint.group(1)), cwd=ROOT, env=_env(home), capture_output=True, text=True)
    first = next(line for line in review.stdout.splitlines() if line.startswith("1 "))
    assert " ingest " in first, review.stdout  # the planted bad batch comes first

    assert _components(f"sqlite:///{home / 'mltrace.db'}") == {"my-train"}  # the user's own runs, untouched
    assert "my-train" not in _components(f"sqlite:///{home / 'demo.db'}")
