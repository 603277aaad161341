"""SQLite keeps times as SQLAlchemy's DATETIME text; mltrace writes and reads that text itself, faster, and must
agree with SQLAlchemy on every time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from mltrace.db.types import UTCDateTime
from mltrace.entities.times import UTC, utc

DIALECT = sqlite.dialect()
SQLALCHEMY_WRITES = sqlite.DATETIME().bind_processor(DIALECT)
SQLALCHEMY_READS = sqlite.DATETIME().result_processor(DIALECT, None)
WRITE = UTCDateTime().bind_processor(DIALECT)
READ = UTCDateTime().result_processor(DIALECT, None)

offsets = st.one_of(st.none(), st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))))
times = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
    offsets,
)


@given(times)
def test_a_time_is_written_as_sqlalchemy_writes_it_in_utc(value: datetime) -> None:
    assert WRITE(value) == SQLALCHEMY_WRITES(utc(value).replace(tzinfo=None))


@given(times)
def test_what_is_written_reads_back_as_the_same_instant_in_utc(value: datetime) -> None:
    read = READ(WRITE(value))
    assert read == value.replace(tzinfo=value.tzinfo or UTC) and read.tzinfo is UTC


def test_text_sqlalchemy_or_sql_wrote_reads_as_sqlalchemy_reads_it() -> None:
    for text in (
        "2026-05-04 09:30:00.000000",
        "2026-05-04 09:30:00.123456",
        "2026-05-04 09:30:00",
        "0999-01-02 03:04:05.000001",
    ):
        assert READ(text) == SQLALCHEMY_READS(text).replace(tzinfo=UTC)
    assert WRITE(None) is None and READ(None) is None
