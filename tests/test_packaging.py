"""Packaging: the wheel (installed into a fresh virtualenv it gives a working `mltrace` with the console
inside), the Docker image and the compose file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "mltrace" / "server" / "static"
COMPOSE = ROOT / "docker-compose.yml"


def _run(*args: str | Path, cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> tuple[bytes, str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read(), response.headers.get("Content-Type", "")
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the source tree (so the checkout gets no build/ folder)."""
    work = tmp_path_factory.mktemp("package")
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "mltrace", source / "mltrace", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", source, cwd=work)
    (built,) = (work / "dist").glob("mltrace-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_holds_the_migrations_the_console_and_the_entry_point(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "mltrace = mltrace.cli.main:main" in entry_points
    assert "mltrace/db/migrations/env.py" in names
    assert any(n.startswith("mltrace/db/migrations/versions/") for n in names)
    assert "mltrace/samples.py" in names
    assert (STATIC / "index.html").exists(), "the console is not built: run make ui (make test does)"
    built = {f"mltrace/server/static/{p.relative_to(STATIC).as_posix()}" for p in STATIC.rglob("*") if p.is_file()}
    assert built <= names


@pytest.mark.slow
def test_the_installed_wheel_serves_the_api_and_the_console(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    _run(venv / "bin" / "pip", "install", "--quiet", wheel, cwd=tmp_path)
    where = _run(venv / "bin" / "python", "-c", "import mltrace; print(mltrace.__file__)", cwd=tmp_path)
    assert where.startswith(str(venv)), where  # the installed copy, not the checkout

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLTRACE_", "DB_URI"))}
    env["MLTRACE_HOME"] = str(tmp_path / "home")
    uri = f"sqlite:///{tmp_path / 'served.db'}"
    server = subprocess.Popen(
        [str(venv / "bin" / "mltrace"), "serve", "--port", str(port), "--workers", "1", "--db", uri],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        health, _ = _get(f"http://127.0.0.1:{port}/api/v1/health", server)
        assert json.loads(health)["status"] == "ok"
        assert json.loads(health)["database"] == "sqlite"
        page, content_type = _get(f"http://127.0.0.1:{port}/", server)
        assert content_type.startswith("text/html")
        if (STATIC / "index.html").exists():
            assert page == (STATIC / "index.html").read_bytes()  # the built console, not the "not built" page
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_compose_runs_postgres_the_api_and_a_one_shot_seed() -> None:
    import yaml

    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(services) == {"db", "api", "seed"}
    db, api, seed = services["db"], services["api"], services["seed"]
    assert db["image"] == "postgres:16"
    assert db["healthcheck"]["test"][0] == "CMD-SHELL" and "pg_isready" in db["healthcheck"]["test"][1]
    volume = db["volumes"][0].split(":")[0]
    assert volume in yaml.safe_load(COMPOSE.read_text())["volumes"]  # a named volume, not a host folder
    for service in (api, seed):
        assert service["depends_on"] == {"db": {"condition": "service_healthy"}}
        assert service["environment"]["MLTRACE_DB_URI"].startswith("postgresql://")
        assert "@db:5432/" in service["environment"]["MLTRACE_DB_URI"]
    assert api["command"][:4] == ["mltrace", "serve", "--host", "0.0.0.0"]  # gunicorn as `mltrace serve` sets it up
    assert "populate_db.py" in " ".join(seed["command"]) and seed["restart"] == "no"
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert published and all(p.startswith("127.0.0.1:") for p in published)  # nothing listens beyond this host
    assert "local" in db["environment"]["POSTGRES_PASSWORD"]  # clearly a local-only default


def test_the_image_builds_the_console_then_serves_the_wheel_with_mltrace_serve() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("FROM ")]
    assert stages[0].startswith("node:") and stages[-1] == "python:3.11-slim"
    assert "npm run build" in dockerfile and "python -m build --wheel" in dockerfile
    assert 'CMD ["mltrace", "serve", "--host", "0.0.0.0"' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "ui/node_modules", ".git"} <= set(ignored)
