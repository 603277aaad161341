"""The one time normaliser: aware UTC within the years 1-9999, whatever the input's offset."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mltrace.entities.times import _fromisoformat_before_311, iso_utc, parse_utc, utc


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-01 02:46:40+00",
        "2026-01-01 02:46:40.5+00",
        "2026-01-01 08:16:40.25+05:30",
        "1850-01-01 00:00:00+00:53:28",
    ],
)
def test_times_are_read_the_same_on_python_3_10(text: str) -> None:
    assert _fromisoformat_before_311(text) == datetime.fromisoformat(text)


def test_naive_means_utc_and_offsets_are_converted() -> None:
    assert utc(datetime(2026, 1, 1, 9)) == datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
    assert parse_utc("2026-01-01T09:00:00-22:32") == datetime(2026, 1, 2, 7, 32, tzinfo=timezone.utc)
    assert parse_utc("2026-01-01T09:00:00Z").tzinfo is timezone.utc


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_time_outside_the_years_1_to_9999_in_utc_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="outside the years 1-9999"):
        parse_utc(text)
    with pytest.raises(ValueError, match="outside the years 1-9999"):
        utc(datetime.fromisoformat(text))


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01", "2026-01-01T25:00"])
def test_text_that_is_not_a_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an ISO 8601 timestamp"):
        parse_utc(text)


def test_iso_utc_writes_microseconds_in_utc() -> None:
    ts = datetime(2026, 1, 1, 10, tzinfo=timezone(timedelta(hours=1)))
    assert iso_utc(ts) == "2026-01-01T09:00:00.000000+00:00"
