"""Real faults for delivery tests: a port that accepts and never answers, a locked SQLite file, a small disk,
a live server, and reading what a spool folder holds."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from mltrace.delivery.spool_lines import decode_line
from mltrace.entities import ComponentRun

ROOT = Path(__file__).parents[1]


class Blackhole:
    """Listens on 127.0.0.1:`port`, accepts every connection and never sends or reads a byte: a database or
    server that hangs."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", port))
        self._server.listen(64)
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        try:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread, so the port is free at once
        except OSError:
            pass
        self._server.close()
        for conn in self._held:
            conn.close()


def terminate_backend(pid: int) -> None:
    """Closes, from the server side, the PostgreSQL connection of backend `pid` (as a restart or an idle timeout
    would)."""
    import psycopg2

    from tests.conftest import PG_ADMIN

    admin = psycopg2.connect(f"{PG_ADMIN}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()


@contextlib.contextmanager
def sqlite_locked(path: Path) -> Iterator[None]:
    """Another process holds an exclusive lock on the SQLite file at `path` until the block ends."""
    code = (
        "import sqlite3, sys\n"
        f"db = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "db.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    try:
        yield
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.stdout.close()
        holder.wait(10)


@contextlib.contextmanager
def small_disk(path: Path, size_kb: int) -> Iterator[Path]:
    """A real filesystem of `size_kb` at `path` (a tmpfs; needs root, as the test machines run)."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@contextlib.contextmanager
def read_only_disk(path: Path) -> Iterator[Path]:
    """A real read-only filesystem at `path` (a tmpfs remounted read-only)."""
    with small_disk(path, 1024):
        subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)
        yield path


def spooled_runs(home: Path) -> list[ComponentRun]:
    """Every run waiting in the spool folders under `home` (claimed ones too)."""
    found = []
    for batch in sorted(home.glob("spool/*/*.jsonl*")):
        found += [decode_line(line) for line in batch.read_bytes().splitlines() if line.strip()]
    return found


def rejected_runs(home: Path) -> list[dict]:
    """Every entry set aside in the spool folders' `.rejected.ndjson` under `home`."""
    entries = []
    for path in home.glob("spool/*/.rejected.ndjson"):
        entries += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return entries


@contextlib.contextmanager
def live_server(db_uri: str, home: Path, port: int | None = None, env: dict[str, str] | None = None) -> Iterator[str]:
    """`mltrace serve` (gunicorn) on `db_uri`, created if needed, in a subprocess; yields its root URL."""
    from mltrace.client import Client
    from tests.server.live import live_server as serving

    Client(db_uri).upgrade()
    with serving(db_uri, home, env, workers=1, port=port) as server:
        yield server.url
