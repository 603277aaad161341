"""The built console (`server/static/`) at `/`, with client-side routes falling back to index.html."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory
from werkzeug.security import safe_join

STATIC_FOLDER = Path(__file__).parent / "static"

MISSING_UI = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mltrace</title></head>
<body><h1>mltrace</h1>
<p>The console has not been built. Run <code>make ui</code>, then reload this page.</p>
<p>The API is at <a href="/api/v1/health">/api/v1/health</a>,
its description at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body></html>
"""

bp = Blueprint("console", __name__)


@bp.route("/", methods=["GET"])
@bp.route("/<console_path:path>", methods=["GET"])
def console(path: str = "") -> Response:
    """A built file when `path` names one, else index.html (the console routes it)."""
    folder = Path(current_app.config["MLTRACE_STATIC_FOLDER"])
    if not (folder / "index.html").is_file():
        return Response(MISSING_UI, mimetype="text/html")
    file = safe_join(str(folder), path) if path else None
    if file is not None and Path(file).is_file():
        return send_from_directory(folder, path)
    return send_from_directory(folder, "index.html", max_age=0)
