"""Applies Alembic migrations, once, even when several processes start together."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0008"
"""The newest migration's revision (a test pins it to the migrations). Checking a database against it needs
no Alembic: a process that finds its database current never imports Alembic or reads the migration files."""
_MIGRATION_LOCK_ID = 727_270
# Alembic keeps the migration it is running in module state (`alembic.context`), shared by every thread: two
# threads migrating two databases at once ran one's migration on the other's connection ("table components
# already exists"). One migration at a time in a process.
_ONE_AT_A_TIME = threading.Lock()


def _fresh_lock_after_fork() -> None:
    global _ONE_AT_A_TIME
    _ONE_AT_A_TIME = threading.Lock()  # another thread may have held it when the process forked


os.register_at_fork(after_in_child=_fresh_lock_after_fork)


def alembic_config() -> AlembicConfig:
    """An Alembic config pointing at the packaged migrations."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest migration revision, as Alembic reads it from the migration files."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None when empty)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrates the database to `revision` under a cross-process lock."""
    from alembic import command

    with _ONE_AT_A_TIME, _migration_lock(engine), engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ensure_schema(engine: Engine) -> None:
    """Migrates to head if the database is behind (one query when it is not)."""
    with engine.connect() as conn:
        if current_revision(conn) == HEAD:
            return
    upgrade(engine)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_ID})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_ID})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
