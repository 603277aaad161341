"""Shared fixtures: every store test runs on embedded SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

import mltrace
from mltrace import client as client_module
from mltrace.client import Client
from mltrace.config import Config
from mltrace.db.store import dispose_engines

pytest_plugins = ["tests.unchanged_checkout"]  # a run that changes tracked files fails

PG_ADMIN = os.environ.get("MLTRACE_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
PG_DATABASE = "mltrace_test"


def _pg_dsn(database: str) -> str:
    return f"{PG_ADMIN}/{database}"


@pytest.fixture(scope="session")
def pg_database() -> str:
    """The shared PostgreSQL test database (each test gets its own schema in it)."""
    conn = psycopg2.connect(_pg_dsn("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,))
        if cur.fetchone() is None:
            try:
                cur.execute(f'CREATE DATABASE "{PG_DATABASE}"')
            except psycopg2.errors.DuplicateDatabase:
                pass  # another test worker made it
    conn.close()
    return PG_DATABASE


def fresh_postgres_uri(database: str) -> tuple[str, str]:
    """A URI whose connections see only a new, empty schema; returns (uri, schema)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn = psycopg2.connect(_pg_dsn(database))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
    conn.close()
    return f"{_pg_dsn(database)}?options=-csearch_path%3D{schema}", schema


def drop_schema(database: str, schema: str) -> None:
    conn = psycopg2.connect(_pg_dsn(database))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    conn.close()


@contextlib.contextmanager
def fresh_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """A fresh, empty database URI for `request.param`: an SQLite file in `folder` (created on first use), or a new
    PostgreSQL schema, dropped on exit."""
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'mltrace.db'}"
        return
    database = request.getfixturevalue("pg_database")
    uri, schema = fresh_postgres_uri(database)
    try:
        yield uri
    finally:
        dispose_engines()
        drop_schema(database, schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_uri(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URI: an empty SQLite file in tmp_path, or a new PostgreSQL schema."""
    (tmp_path / "mltrace.db").touch()  # an empty file is an empty SQLite database
    with fresh_database(request, tmp_path) as uri:
        yield uri


@pytest.fixture
def postgres_uri(pg_database: str) -> Iterator[str]:
    """A fresh PostgreSQL schema, for behaviour only PostgreSQL has (session settings, …)."""
    uri, schema = fresh_postgres_uri(pg_database)
    yield uri
    dispose_engines()
    drop_schema(pg_database, schema)


@pytest.fixture
def mltrace_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated MLTRACE_HOME (spool, default database) with fast writer settings."""
    home = tmp_path / "home"
    monkeypatch.setenv("MLTRACE_HOME", str(home))
    monkeypatch.setenv("MLTRACE_FLUSH_INTERVAL", "0.01")
    monkeypatch.setenv("MLTRACE_RETRY_INTERVAL", "0.2")
    for name in ("MLTRACE_DB_URI", "DB_URI", "MLTRACE_SERVER_URL"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def logging_to(db_uri: str, mltrace_home: Path) -> Iterator[str]:
    """The module-level API (decorators, get_*) pointed at a fresh database."""
    client_module._overrides.clear()
    mltrace.set_db_uri(db_uri)
    yield db_uri
    mltrace.flush(10)
    client_module._overrides.clear()
    client_module._reset_default()


@pytest.fixture
def client(db_uri: str, mltrace_home: Path) -> Client:
    """A Client on a fresh database, for store-level tests."""
    return Client(db_uri, config=Config.from_env())
