"""`HeldReadConnections`: SQLAlchemy connections to a SQLite database kept checked out between reads.

Checking a connection out of SQLAlchemy's pool and returning it costs more than most reads of SQLite: `with
store.read(): pass` took 17-24 µs, and a command-bar search run on a connection already in hand 12 µs (medians
of 3,000). A read now takes an idle connection from a short list and puts it back, so only the first reads of
concurrent threads check one out. A connection goes back to the list only as the pool would have it: not in a
transaction (SQLAlchemy's autobegun one is rolled back, so no read holds a snapshot of the WAL), with no
execution options, after a read that did not fail. A forked child leaves its parent's connections alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

KEPT = 2  # idle connections kept per engine: the pool's other connections stay free for writers
_held: dict[int, HeldReadConnections] = {}  # by id(engine): engines live as long as the process


def held_for(engine: Engine) -> HeldReadConnections:
    """The idle read connections of `engine` (a SQLite file's), shared by every Store of it."""
    held = _held.get(id(engine))
    if held is None or held.engine is not engine:
        held = _held[id(engine)] = HeldReadConnections(engine)
    return held


def close_all() -> None:
    """Returns every idle read connection to its pool (before the pools are disposed)."""
    for held in list(_held.values()):
        held.close()


class HeldReadConnections:
    """Idle read connections of one engine, each used by one reader at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._idle: list[Connection] = []
        self._pid = os.getpid()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for one read; back to the idle list afterwards, or to the pool when it cannot be kept."""
        if self._pid != os.getpid():  # forked: the parent's connections stay the parent's
            self._idle, self._pid = [], os.getpid()
        try:
            conn = self._idle.pop()  # atomic: two threads never get the same one
        except IndexError:
            conn = self.engine.connect()
        try:
            yield conn
            if conn.in_transaction():
                conn.rollback()
        except BaseException:  # the read failed (or its rollback did): the pool resets the connection
            conn.close()
            raise
        if conn.get_execution_options() or len(self._idle) >= KEPT or conn.closed or conn.invalidated:
            conn.close()
        else:
            self._idle.append(conn)

    def close(self) -> None:
        """Returns every idle connection to the pool."""
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
