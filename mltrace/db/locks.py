"""The writers' lock: one writer of runs, pointers and components at a time, per store."""

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
