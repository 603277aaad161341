"""Fixtures for the HTTP API: an app on each test database, and the sample pipeline stored in it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mltrace.client import Client
from mltrace.entities.run_wire import from_wire, to_wire
from mltrace.server.app import create_app
from tests.server.sample import PIPELINE_RECORDS, Pipeline


@pytest.fixture
def app(db_uri: str, mltrace_home: Any) -> Flask:
    """The app on a fresh database (SQLite and PostgreSQL)."""
    return create_app({"DB_URI": db_uri, "TESTING": True})


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def store(app: Flask) -> Client:
    """The app's own Client, to populate and inspect the database."""
    return app.extensions["mltrace"]


@pytest.fixture
def pipeline(store: Client) -> Pipeline:
    """The sample pipeline, stored."""
    return Pipeline(*store.ingest([from_wire(to_wire(r)) for r in PIPELINE_RECORDS]))
