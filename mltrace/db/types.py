"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from mltrace.entities.times import UTC, utc


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps with microseconds on every backend.

    PostgreSQL keeps `timestamptz`; SQLite keeps naive UTC text, which sorts correctly, in SQLAlchemy's format
    (`2026-05-04 09:30:00.000000`), written and read here by `datetime`'s own ISO methods: SQLAlchemy's formats
    each value in Python, about 8 µs to write one against 1.5 µs (ingest writes four a run).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return utc(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return _sqlite_text
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        if dialect.name == "sqlite":
            return _sqlite_time
        return super().result_processor(dialect, coltype)


def _sqlite_text(value: datetime | None) -> str | None:
    """A time as SQLite keeps it: naive UTC text with microseconds."""
    return None if value is None else utc(value).isoformat(" ", "microseconds")[:26]  # without "+00:00"


def _sqlite_time(value: str | None) -> datetime | None:
    """A time SQLite kept, as aware UTC (text without microseconds, written by SQL's CURRENT_TIMESTAMP, too)."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)
