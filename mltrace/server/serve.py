"""`serve()`: runs the app under gunicorn (what `mltrace serve` calls)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from mltrace.server.app import create_app


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


def serve(host: str = "127.0.0.1", port: int = 8080, workers: int = 2, db_uri: str | None = None) -> None:
    """Serves the API and console on `host:port` until interrupted (database: `db_uri` or the environment)."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 4,
        "accesslog": "-",
        "errorlog": "-",
        "timeout": 120,
    }
    GunicornServer(options, {"DB_URI": db_uri} if db_uri else None).run()
