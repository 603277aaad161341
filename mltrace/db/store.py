"""The Store: one database, its schema kept current, and transactions around queries."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from mltrace.db import audit, queries, sqlite_reads
from mltrace.db import ingest as ingest_module
from mltrace.db.engine import make_engine, sqlite_path
from mltrace.db.locks import lock_for_writes
from mltrace.db.migrate import ensure_schema
from mltrace.db.models import Base
from mltrace.entities import ComponentRun
from mltrace.errors import MissingDatabaseError, RunsRefusedError, StoreUnreachableError

T = TypeVar("T")

_engines: dict[tuple[str, bool, float | None], Engine] = {}
_engines_lock = threading.Lock()


def engine_for(uri: str, reads: bool = False, timeout: float | None = None) -> Engine:
    """One shared engine per URI and store timeout in this process, and one for its queries (see `make_engine`)."""
    if reads and make_url(uri).get_backend_name() != "postgresql":
        reads = False  # SQLite reads need no round trips
    with _engines_lock:
        if (uri, reads, timeout) not in _engines:
            _engines[uri, reads, timeout] = make_engine(uri, reads, timeout)
        return _engines[uri, reads, timeout]


def dispose_engines() -> None:
    """Closes every pooled connection (in tests)."""
    sqlite_reads.close_all()
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _forget_connections_after_fork() -> None:
    """In a forked child: new pools, leaving the parent's connections to the parent (a connection used by both
    processes garbles its protocol)."""
    global _engines_lock
    _engines_lock = threading.Lock()
    for engine in _engines.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_connections_after_fork)


def require_database(uri: str) -> None:
    """Raises MissingDatabaseError when `uri` names a SQLite file that does not exist: queries and the server
    never create one (a mistyped path would otherwise answer with an empty database)."""
    path = sqlite_path(uri)
    if path is not None and not path.exists():
        raise MissingDatabaseError(f"no SQLite database at {path} (logging a run or `mltrace db upgrade` creates one)")


class Store:
    """A database holding mltrace's tables, migrated on first use."""

    def __init__(self, uri: str, timeout: float | None = None) -> None:
        """`timeout`: the seconds any wait on the database may last (None: MLTRACE_STORE_TIMEOUT)."""
        self.uri = uri
        self.engine = engine_for(uri, timeout=timeout)
        self.read_engine = engine_for(uri, reads=True, timeout=timeout)
        self._held_reads = sqlite_reads.held_for(self.read_engine) if sqlite_path(uri) is not None else None
        self._ready = False

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    def ensure_ready(self) -> None:
        """Applies pending migrations once per Store."""
        if not self._ready:
            ensure_schema(self.engine)
            self._ready = True

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for queries."""
        self.ensure_ready()
        if self._held_reads is not None:  # a SQLite file: `db/sqlite_reads.py`
            with self._held_reads.connection() as conn:
                yield conn
            return
        with self.read_engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that commits on success; SQLite takes its write lock at once."""
        self.ensure_ready()
        with self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def query(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Runs a query function from `mltrace.db.queries` on a read connection; StoreUnreachableError when the
        database cannot be reached."""

        def work() -> T:
            with self.read() as conn:
                return fn(conn, *args, **kwargs)

        return _reachable(work)

    def stream(self, fn: Callable[..., Iterator[T]], *args: object, **kwargs: object) -> Iterator[T]:
        """Yields what a query function yields, on a connection of its own in a transaction, so that PostgreSQL
        can keep a server-side cursor (query connections are in autocommit) while the caller consumes it. The
        transaction sees one state of the store throughout (REPEATABLE READ on PostgreSQL; a SQLite read
        transaction does so anyway): runs stored or changed while an export is read are not in it."""
        self.ensure_ready()
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield from fn(conn, *args, **kwargs)

    def change(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Runs a query function that writes, in its own transaction; StoreUnreachableError when the database
        cannot be reached."""

        def work() -> T:
            with self.write() as conn:
                return fn(conn, *args, **kwargs)

        return _reachable(work)

    def change_in_one_statement(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Runs a query function that writes with one statement. On PostgreSQL it runs on a query connection
        (autocommit: the statement is its own transaction), one round trip where `change` adds a BEGIN and a
        COMMIT (flagging an output, medians timed in turn: 860 µs -> 620 µs); on SQLite it is `change`."""
        if self.dialect != "postgresql":
            return self.change(fn, *args, **kwargs)
        return self.query(fn, *args, **kwargs)

    def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> list[int]:
        """Stores a batch of captured runs atomically; already-stored keys are skipped.

        `never_delivered` records were never handed to any store, so the lookup of stored keys is skipped.
        Raises RunsRefusedError, naming the runs, before storing anything when some run breaks the limits every
        store applies (`ComponentRun.problems`); RunsRefusedError for other content the database refuses, and
        StoreUnreachableError when it cannot be reached or times out.
        """
        reasons = {i: "; ".join(found) for i, record in enumerate(records) if (found := record.problems())}
        if reasons:
            raise RunsRefusedError(f"{len(reasons)} of {len(records)} runs cannot be stored", reasons)
        attempts = iter((never_delivered, False))  # a lost connection may have hidden a commit: look again

        def work() -> list[int]:
            with self.write() as conn:
                unknown = _unknown_upstream(conn, records)
                if unknown:
                    raise RunsRefusedError(f"{len(unknown)} of {len(records)} runs name unknown upstream runs", unknown)
                return ingest_module.ingest(conn, records, next(attempts))

        try:
            return _reachable(work)
        except DBAPIError as exc:
            raise RunsRefusedError(_reason(exc)) from exc

    def ping(self) -> None:
        """Raises if the database cannot be reached."""

        def work() -> None:
            with self.read_engine.connect() as conn:  # no migration: only whether the server answers
                conn.execute(text("SELECT 1"))

        _once_more_if_disconnected(work)

    def clean(self) -> None:
        """Deletes every run, component, output and flag, in one transaction with its audit record; the schema,
        the API tokens and the audit trail stay."""

        def work() -> None:
            with self.write() as conn:
                lock_for_writes(conn)
                data = [t for t in Base.metadata.sorted_tables if t.name not in KEPT_BY_CLEAN]
                if self.dialect == "postgresql":
                    names = ", ".join(conn.dialect.identifier_preparer.quote(t.name) for t in data)
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
                else:
                    for table in reversed(data):
                        conn.execute(table.delete())
                audit.record(conn, "clean", "database", "*")

        _reachable(work)


KEPT_BY_CLEAN = ("api_tokens", "audit_log")


def _unknown_upstream(conn: Connection, records: list[ComponentRun]) -> dict[int, str]:
    """The runs whose explicit upstream links name runs that are not stored, with why (by position)."""
    wanted = list(dict.fromkeys(run_id for record in records for run_id in record.dependencies))
    if not wanted:
        return {}
    stored = queries.stored_run_ids(conn, wanted)
    unknown = {}
    for position, record in enumerate(records):
        missing = [run_id for run_id in record.dependencies if run_id not in stored]
        if missing:
            unknown[position] = f"upstream run {', '.join(map(str, missing))} not found"
    return unknown


def _reachable(work: Callable[[], T]) -> T:
    """`_once_more_if_disconnected(work)`, with a database that cannot be reached (or times out) reported as
    StoreUnreachableError: the server answers 503 then, and the command line one line."""
    try:
        return _once_more_if_disconnected(work)
    except DBAPIError as exc:
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            raise StoreUnreachableError(_reason(exc)) from exc
        raise


def _reason(exc: DBAPIError) -> str:
    """The driver's message, on one line."""
    return " ".join(str(exc.orig if exc.orig is not None else exc).split())


def _once_more_if_disconnected(work: Callable[[], T]) -> T:
    """Runs `work`, and once more if the pooled connection it got had been closed by the server (a restart,
    an idle timeout): SQLAlchemy then replaces every connection of the pool. The failed attempt wrote
    nothing (its transaction never committed), and every write of mltrace can be repeated: runs are
    stored once per key, flags, notes and tags are set to a value."""
    try:
        return work()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        return work()
