"""Packaging: `pip install .` of a fresh clone and the wheel built from its sdist (each installed into a new
virtualenv gives a working `mltrace` with the console inside), the console's build hook, the Docker image
and the compose file."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tarfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import build_console

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"


def _run(*args: str | Path, cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, server: subprocess.Popen[bytes] | None, timeout: float = 60) -> tuple[bytes, str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read(), response.headers.get("Content-Type", "")
        except OSError:
            if server is None or server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _fresh_clone(dest: Path) -> Path:
    """A clone of the checkout's committed HEAD, as a newcomer gets it: no node_modules, no built console."""
    head = _run("git", "rev-parse", "HEAD", cwd=ROOT).strip()
    _run("git", "clone", "--quiet", "--no-checkout", ROOT, dest, cwd=dest.parent)
    _run("git", "checkout", "--quiet", "--detach", head, cwd=dest)
    assert not (dest / "mltrace" / "server" / "static").exists()
    return dest


def _venv_with_the_dependencies(venv: Path) -> Path:
    """A new virtualenv without mltrace that sees this one's packages (a .pth line, so that it needs no
    download; the .pth files in those packages, among them this checkout's editable mltrace, stay inactive)."""
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    purelib = _run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=venv)
    Path(purelib.strip(), "_mltrace_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


def _pip_install(venv: Path, target: str | Path, cwd: Path) -> None:
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        venv / "bin" / "python",
        "install",
        "--quiet",
        "--no-deps",
        target,
        cwd=cwd,
    )


@contextmanager
def _serving(venv: Path, tmp_path: Path) -> Iterator[str]:
    """`mltrace serve` of the virtualenv's mltrace on a free port; yields its root URL once it answers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLTRACE_", "DB_URI"))}
    env["MLTRACE_HOME"] = str(tmp_path / "home")
    (tmp_path / "served.db").touch()  # `serve` serves a database that exists
    uri = f"sqlite:///{tmp_path / 'served.db'}"
    server = subprocess.Popen(
        [str(venv / "bin" / "mltrace"), "serve", "--port", str(port), "--workers", "1", "--db", uri],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        health, _ = _get(f"{url}/api/v1/health", server)
        assert json.loads(health)["status"] == "ok"
        assert json.loads(health)["database"] == "sqlite"
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _assert_serves_the_console(url: str, server_dir: Path) -> None:
    """The console's own index.html at / (not the "not built" page) and a script it loads."""
    page, content_type = _get(f"{url}/", None)
    assert content_type.startswith("text/html")
    assert b"make ui" not in page and b'<div id="root">' in page, page[:500]
    assert page == (server_dir / "static" / "index.html").read_bytes()
    scripts = re.findall(rb'<script[^>]+src="(/assets/[^"]+\.js)"', page)
    assert scripts, page
    asset, content_type = _get(f"{url}{scripts[0].decode()}", None)
    assert "javascript" in content_type and len(asset) > 10_000  # the bundle, not index.html again
    assert asset == (server_dir / "static" / scripts[0].decode().lstrip("/")).read_bytes()


@pytest.mark.slow
def test_pip_install_of_a_fresh_clone_builds_and_serves_the_console(tmp_path: Path) -> None:
    clone = _fresh_clone(tmp_path / "clone")
    venv = _venv_with_the_dependencies(tmp_path / "venv")
    _pip_install(venv, ".", cwd=clone)
    where = _run(venv / "bin" / "python", "-c", "import mltrace.server; print(mltrace.server.__file__)", cwd=tmp_path)
    server_dir = Path(where.strip()).parent
    assert server_dir.is_relative_to(venv), where  # the installed copy, not the checkout
    with _serving(venv, tmp_path) as url:
        _assert_serves_the_console(url, server_dir)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`python -m build` of a fresh clone: the sdist, then the wheel built from that sdist."""
    work = tmp_path_factory.mktemp("package")
    clone = _fresh_clone(work / "clone")
    _run(sys.executable, "-m", "build", "--outdir", work / "dist", clone, cwd=work)
    (sdist,) = (work / "dist").glob("mltrace-*.tar.gz")
    (wheel,) = (work / "dist").glob("mltrace-*.whl")
    return {"sdist": sdist, "wheel": wheel}


@pytest.fixture(scope="module")
def wheel(built: dict[str, Path]) -> Path:
    return built["wheel"]


@pytest.mark.slow
def test_the_sdist_carries_the_console_sources_the_lockfile_the_build_hook_and_the_license(
    built: dict[str, Path],
) -> None:
    with tarfile.open(built["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"build_console.py", "MANIFEST.in", "LICENSE", "pyproject.toml"} <= names
    assert {"ui/package.json", "ui/package-lock.json", "ui/index.html", "ui/vite.config.ts", "ui/src/main.tsx"} <= names
    assert "mltrace/server/static/index.html" in names  # built once, so a wheel from it needs no Node
    assert not any(n.startswith("ui/node_modules") for n in names)


@pytest.mark.slow
def test_the_wheel_holds_the_migrations_the_console_the_license_and_the_entry_point(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
        metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
        (license_file,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        license_text = archive.read(license_file).decode()
    assert "mltrace = mltrace.cli.main:main" in entry_points
    assert "mltrace/db/migrations/env.py" in names
    assert any(n.startswith("mltrace/db/migrations/versions/") for n in names)
    assert "mltrace/samples.py" in names
    assert "mltrace/server/static/index.html" in names
    assert any(n.startswith("mltrace/server/static/assets/") and n.endswith(".js") for n in names)
    assert "License-Expression: Apache-2.0" in metadata and "License-File: LICENSE" in metadata
    assert license_text == (ROOT / "LICENSE").read_text()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text


@pytest.mark.slow
def test_the_installed_wheel_serves_the_api_and_the_console(wheel: Path, tmp_path: Path) -> None:
    venv = _venv_with_the_dependencies(tmp_path / "venv")
    _pip_install(venv, wheel, cwd=tmp_path)
    where = _run(venv / "bin" / "python", "-c", "import mltrace.server; print(mltrace.server.__file__)", cwd=tmp_path)
    server_dir = Path(where.strip()).parent
    assert server_dir.is_relative_to(venv), where
    with _serving(venv, tmp_path) as url:
        _assert_serves_the_console(url, server_dir)


@pytest.mark.slow
def test_the_console_builds_without_a_warning(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    assert npm is not None, "the console's build needs npm"
    done = subprocess.run(
        [npm, "exec", "--", "vite", "build", "--outDir", str(tmp_path / "static"), "--emptyOutDir"],
        cwd=ROOT / "ui",
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "(!)" not in output and "warn" not in output.lower(), output
    assert (tmp_path / "static" / "index.html").is_file()


def test_the_build_hook_stops_with_one_line_naming_node_when_npm_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui = tmp_path / "ui"
    shutil.copytree(ROOT / "ui", ui, ignore=shutil.ignore_patterns("node_modules"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(build_console.ConsoleBuildError) as raised:
        build_console.build_console(ui, tmp_path / "static")
    message = str(raised.value)
    assert "\n" not in message and "Node.js" in message and "npm" in message
    assert not (tmp_path / "static").exists()


def test_the_build_hook_names_the_node_it_needs_when_the_one_on_path_is_too_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui, bin_dir = tmp_path / "ui", tmp_path / "bin"
    shutil.copytree(ROOT / "ui", ui, ignore=shutil.ignore_patterns("node_modules"))
    bin_dir.mkdir()
    (bin_dir / "node").write_text("#!/bin/sh\necho v18.19.0\n")
    (bin_dir / "npm").write_text("#!/bin/sh\nexit 1\n")
    for tool in ("node", "npm"):
        (bin_dir / tool).chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(build_console.ConsoleBuildError, match=r"needs Node\.js 20\+ .*found Node\.js v18\.19\.0"):
        build_console.build_console(ui, tmp_path / "static")


def test_the_build_hook_rebuilds_only_a_missing_or_older_console(tmp_path: Path) -> None:
    ui, static = tmp_path / "ui", tmp_path / "static"
    (ui / "src").mkdir(parents=True)
    for name in ("package.json", "package-lock.json", "index.html", "src/main.tsx"):
        (ui / name).write_text("{}")
    assert build_console.is_stale(ui, static)  # never built
    static.mkdir()
    (static / "index.html").write_text("<!doctype html>")
    os.utime(static / "index.html", (time.time() + 10, time.time() + 10))
    assert not build_console.is_stale(ui, static)
    os.utime(ui / "src" / "main.tsx", (time.time() + 20, time.time() + 20))
    assert build_console.is_stale(ui, static)  # a source changed since


def test_a_console_built_elsewhere_and_shipped_without_its_sources_is_kept(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text("<!doctype html>")
    assert build_console.build_console(tmp_path / "no-ui", static) is False
    with pytest.raises(build_console.ConsoleBuildError, match="no ui/"):
        build_console.build_console(tmp_path / "no-ui", tmp_path / "missing")


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
    assert "COPY pyproject.toml README.md LICENSE MANIFEST.in build_console.py ./" in dockerfile  # what the build reads
    assert 'CMD ["mltrace", "serve", "--host", "0.0.0.0"' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "ui/node_modules", ".git"} <= set(ignored)
