"""The console: built files at `/`, client-side routes fall back to index.html, a hint when not built."""

from __future__ import annotations

from pathlib import Path

import pytest

from mltrace.server.app import create_app
from tests.server.sample import assert_error

INDEX = "<!doctype html><title>mltrace console</title><div id=root></div>"


def text_of(client, path: str) -> tuple[int, str, str]:
    """Status, mimetype and text of a GET, with the response (maybe an open file) closed."""
    response = client.get(path)
    try:
        return response.status_code, response.mimetype, response.get_data(as_text=True)
    finally:
        response.close()


@pytest.fixture
def built(tmp_path: Path, mltrace_home: Path):
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text(INDEX)
    (static / "assets" / "app.js").write_text("console.log('hi')")
    app = create_app({"DB_URI": f"sqlite:///{tmp_path / 'x.db'}", "MLTRACE_STATIC_FOLDER": str(static)})
    return app.test_client()


def test_console_serves_index_at_root_and_for_client_side_routes(built):
    for path in ("/", "/trace/data%2Fclean.csv", "/history/train/10", "/inspect/3", "/assets/missing.js"):
        assert text_of(built, path) == (200, "text/html", INDEX), path


def test_console_serves_built_files(built):
    status, mimetype, text = text_of(built, "/assets/app.js")
    assert (status, text) == (200, "console.log('hi')")
    assert "javascript" in mimetype


def test_console_never_serves_files_outside_its_folder(built, tmp_path: Path):
    (tmp_path / "secret.txt").write_text("secret")
    for path in ("/../secret.txt", "/%2E%2E/secret.txt", "/assets/..%2F..%2Fsecret.txt"):
        assert "secret" not in text_of(built, path)[2]


def test_api_paths_are_never_the_console(built):
    assert_error(built.get("/api/v1/nope"), 404, "not_found")
    assert_error(built.get("/api/nope"), 404, "not_found")


def test_without_a_built_console_root_says_to_run_make_ui(tmp_path: Path, mltrace_home: Path):
    app = create_app({"DB_URI": f"sqlite:///{tmp_path / 'x.db'}", "MLTRACE_STATIC_FOLDER": str(tmp_path / "none")})
    response = app.test_client().get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "make ui" in response.get_data(as_text=True)
    assert "make ui" in app.test_client().get("/trace/x").get_data(as_text=True)
