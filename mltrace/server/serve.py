"""`serve()`: runs the app under gunicorn (what `mltrace serve` calls)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from mltrace.config import Config
from mltrace.server.app import create_app

WORKER_CLASS = "mltrace.server.worker.JsonErrorsGeventWorker"
MAX_SOCKET_PATH = 100  # a Unix socket's path holds at most 107 bytes on Linux (103 on macOS)


class GunicornServer(BaseApplication):
    """Gunicorn with the app factory; each worker builds its own app (and database engine)."""

    def __init__(self, options: dict[str, Any], settings: dict[str, Any] | None = None) -> None:
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        logging.basicConfig(
            level=logging.INFO, format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
        )
        return create_app(self.settings)


def gunicorn_options(host: str, port: int, workers: int, home: Path) -> dict[str, Any]:
    """Gunicorn's settings for a server on `host:port`, its control socket in `home`."""
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": WORKER_CLASS,
        "worker_connections": 1000,  # connections each worker holds at once, slow ones included
        "keepalive": 5,  # seconds a request's head may take to arrive, the first one's too
        "timeout": 120,  # a worker whose loop is blocked that long (by a database call) is restarted
        "accesslog": "-",
        "errorlog": "-",
    }
    control = home / f"gunicorn-{host}-{port}.ctl"  # one per server: gunicorn's default is one per user
    if len(str(control).encode()) <= MAX_SOCKET_PATH:
        options["control_socket"] = str(control)
    else:
        options["control_socket_disable"] = True
    return options


def serve(host: str = "127.0.0.1", port: int = 8080, workers: int = 2, db_uri: str | None = None) -> None:
    """Serves the API and console on `host:port` until interrupted (database: `db_uri` or the environment)."""
    home = Config.from_env().home
    home.mkdir(parents=True, exist_ok=True)
    GunicornServer(gunicorn_options(host, port, workers, home), {"DB_URI": db_uri} if db_uri else None).run()
