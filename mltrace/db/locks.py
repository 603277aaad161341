"""Per-transaction settings: the writers' lock and the planner hint for recursive walks."""

from __future__ import annotations

from sqlalchemy import Connection, text

_WRITE_LOCK_ID = 727_271
_LOCK = text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))")


def lock_for_writes(conn: Connection) -> None:
    """Serialises writers of runs, pointers and components until the transaction ends.

    On PostgreSQL the lock is per schema, so that stores in different schemas of one database do not wait
    on each other. SQLite needs nothing: write transactions begin IMMEDIATE, which takes its write lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK, {"k": _WRITE_LOCK_ID})


_INDEX_WALKS = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off"


def prefer_index_walks(conn: Connection) -> None:
    """Recursive walks touch a few rows per step: make PostgreSQL use the indexes for them, until the
    transaction ends, even before it has statistics of a freshly loaded table (a hash join would scan the
    whole table at every step)."""
    if conn.dialect.name == "postgresql":  # one round trip for both
        conn.exec_driver_sql(_INDEX_WALKS)


def index_walks_prefix(dialect: str) -> str:
    """What to put before a statement so that it runs as `prefer_index_walks` makes it, in the same round
    trip: on PostgreSQL the settings go first in the query string. On a read connection (autocommit) they
    last for this statement only, as PostgreSQL runs the statements of one query string as one transaction."""
    return f"{_INDEX_WALKS};\n" if dialect == "postgresql" else ""
