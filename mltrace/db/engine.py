"""Creates SQLAlchemy engines from URIs, with the per-backend settings mltrace needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from mltrace.config import Config
from mltrace.db.postgres import READ_SESSION_SETTINGS, SESSION_SETTINGS, driver_error


def sqlite_path(uri: str) -> Path | None:
    """The file of a SQLite URI; None for other databases and in-memory SQLite."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser()


def make_engine(uri: str, reads: bool = False, timeout: float | None = None) -> Engine:
    """An engine for `uri`; SQLite gets WAL, a busy timeout and explicit BEGIN modes.

    `reads`: on PostgreSQL, an engine whose connections stay in autocommit, for queries: a query is then one
    round trip, where a transaction adds a BEGIN and a ROLLBACK (each statement of a read sees the data
    committed when it starts either way, at READ COMMITTED). Its own pool, so that no connection switches
    modes (switching back costs a round trip too).

    Pooled connections are not pinged before use: `Store` runs work again once when the server had closed
    the connection it got.

    Every wait is bounded by `timeout` seconds (None: MLTRACE_STORE_TIMEOUT): connecting, a statement of a write,
    SQLite's lock. A database that accepts connections and never answers, or a file another process keeps
    locked, then fails the call, and the background writer keeps the runs for later instead of waiting without end.
    """
    url = make_url(uri)
    if timeout is None:
        timeout = Config.from_env().store_timeout
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg2")  # the chosen driver, whatever SQLAlchemy's default
    path = sqlite_path(uri)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})
        _configure_sqlite(engine, timeout)
        return engine
    connect_args = {"connect_timeout": max(2, round(timeout))}  # libpq waits at least 2 s
    if reads:
        engine = create_engine(
            url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=5, connect_args=connect_args
        )
        _configure_postgresql(engine, READ_SESSION_SETTINGS)
        return engine
    # writers queue on one lock anyway; execute_batch for the executemany UPDATEs of ingest
    engine = create_engine(
        url, pool_size=2, max_overflow=3, executemany_mode="values_plus_batch", connect_args=connect_args
    )
    _configure_postgresql(engine, f"{SESSION_SETTINGS}; SET statement_timeout = {round(timeout * 1000)}")
    return engine


def _configure_postgresql(engine: Engine, settings: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(settings)
        cur.close()
        if not dbapi_conn.autocommit:
            dbapi_conn.commit()


def _configure_sqlite(engine: Engine, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={round(timeout * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        """BEGIN on the driver's cursor: through SQLAlchemy's execution it cost about 40 µs, as much as reading
        a run (`with store.read()` around nothing: 80 -> 40 µs, medians of 2,000)."""
        statement = f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}"
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(statement)
        except conn.dialect.loaded_dbapi.Error as error:  # "database is locked" after the busy timeout, say
            raise driver_error(conn, cursor, statement, error) from error
        finally:
            cursor.close()


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"
