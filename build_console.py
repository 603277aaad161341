"""Setuptools hook that builds the console (ui/ into mltrace/server/static/) for every wheel and sdist.

`pip install .`, `python -m build` and a wheel built from the sdist all carry the console: when the
sources are there and the built files are missing or older than them, `npm ci` (if ui/node_modules
is missing or older than the lockfile) and `npm run build` run first. Without Node.js the build
stops with one line saying what to install. Editable installs skip it: `make ui` (which runs this file)
builds the console in the checkout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools.errors import BaseError

ROOT = Path(__file__).resolve().parent
UI = ROOT / "ui"
STATIC = ROOT / "mltrace" / "server" / "static"
# What the built console depends on (ui/README.md describes the rest of ui/).
SOURCES = ("src", "index.html", "package.json", "package-lock.json", "tsconfig.json", "vite.config.ts")
MIN_NODE = 20
NEEDS_NODE = (
    f"building the mltrace console needs Node.js {MIN_NODE}+ with npm on PATH (https://nodejs.org/): install it"
)


class ConsoleBuildError(BaseError):
    """The console could not be built; setuptools prints the message as one `error:` line."""


def newest_source_mtime(ui: Path) -> float:
    """The latest modification time among the console's sources (0 when there are none)."""
    newest = 0.0
    for name in SOURCES:
        path = ui / name
        files = path.rglob("*") if path.is_dir() else [path]
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def is_stale(ui: Path, static: Path) -> bool:
    """True when `static` has no index.html or one older than a console source."""
    index = static / "index.html"
    return not index.is_file() or newest_source_mtime(ui) > index.stat().st_mtime


def build_console(ui: Path = UI, static: Path = STATIC) -> bool:
    """Builds the console into `static` when it is missing or stale; True when it ran npm."""
    if not (ui / "package.json").is_file():
        if (static / "index.html").is_file():
            return False  # built elsewhere, shipped without its sources
        raise ConsoleBuildError(f"the console is not built ({static} is missing) and there is no ui/ to build it")
    if not is_stale(ui, static):
        return False
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise ConsoleBuildError(NEEDS_NODE)
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()  # "v20.11.1"
    major = re.match(r"v(\d+)\.", version)
    if major is None or int(major.group(1)) < MIN_NODE:
        raise ConsoleBuildError(f"{NEEDS_NODE} (found Node.js {version or 'of unknown version'})")
    modules = ui / "node_modules"
    if not modules.is_dir() or modules.stat().st_mtime < (ui / "package-lock.json").stat().st_mtime:
        _npm(npm, ui, "ci", "--no-audit", "--no-fund")
        modules.touch()
    _npm(npm, ui, "run", "build", "--", "--outDir", str(static))
    if not (static / "index.html").is_file():
        raise ConsoleBuildError(f"`npm run build` in {ui} did not write {static / 'index.html'}")
    return True


def _npm(npm: str, ui: Path, *args: str) -> None:
    print(f"building the console: npm {' '.join(args)}", flush=True)
    done = subprocess.run([npm, *args], cwd=ui)
    if done.returncode != 0:
        raise ConsoleBuildError(f"`npm {' '.join(args)}` failed in {ui} (exit {done.returncode}); see its output above")


class BuildPy(build_py):
    """build_py that builds the console first, so that its files are among the package data."""

    def run(self) -> None:
        if not self.editable_mode and build_console():
            self.__dict__.pop("data_files", None)  # listed before the build: list them again
        super().run()


class Sdist(sdist):
    """sdist that builds the console first: the archive carries it and its sources (see MANIFEST.in)."""

    def run(self) -> None:
        build_console()
        super().run()


if __name__ == "__main__":
    try:
        build_console()
    except ConsoleBuildError as error:
        sys.exit(f"error: {error}")
