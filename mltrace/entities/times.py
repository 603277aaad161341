"""The one place times are normalised: every time mltrace keeps is timezone-aware UTC within the years 1–9999."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timezone

UTC = timezone.utc
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def now_utc() -> datetime:
    """The current time, timezone-aware UTC with microseconds."""
    return datetime.now(UTC)


def utc(ts: datetime) -> datetime:
    """`ts` as aware UTC (naive means UTC); ValueError when it falls outside the years 1–9999 in UTC
    (`0001-01-01T00:00:00+14:00` is in year 0 there, which neither Python nor the API can show)."""
    if ts.tzinfo is UTC:
        return ts
    if ts.tzinfo is None or ts.utcoffset() is None:
        return ts.replace(tzinfo=UTC)
    try:
        return ts.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{ts.isoformat()} falls outside the years 1-9999 in UTC") from None


def parse_utc(text: str) -> datetime:
    """An ISO 8601 text (with `Z`, an offset, or naive meaning UTC) as aware UTC; ValueError if it is not one."""
    return utc(_parse(text))


def parse_utc_clamped(text: str) -> datetime:
    """`parse_utc`, but a time beyond the years 1-9999 in UTC (`0001-01-01T00:00:00+14:00`) is EARLIEST or LATEST:
    for a bound of a query, where "since before year 1" means since the beginning."""
    parsed = _parse(text)
    try:
        return utc(parsed)
    except ValueError:
        return EARLIEST if parsed.year == 1 else LATEST


def iso_utc(ts: datetime) -> str:
    """ISO 8601 in UTC with microseconds (`2026-11-20T09:00:00.123456+00:00`): how the API and CLI write times."""
    return utc(ts).isoformat(timespec="microseconds")


def _parse(text: str) -> datetime:
    """An ISO 8601 text as written (naive or with its offset); ValueError if it is not one."""
    try:
        return _fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, AttributeError):
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}") from None


_POSTGRESQL_TEXT = re.compile(r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?([+-]\d\d)(?::(\d\d))?(?::(\d\d))?")


def _fromisoformat_before_311(value: str) -> datetime:
    """`datetime.fromisoformat` as Python 3.11 reads PostgreSQL's text: 1 to 6 fraction digits, `+HH` offsets."""
    match = re.fullmatch(
        r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?([+-]\d\d)(?::(\d\d))?(?::(\d\d))?", value
    )
    if match is None:
        return datetime.fromisoformat(value)
    stamp, fraction, hours, minutes, seconds = match.groups()
    offset = f"{hours}:{minutes or '00'}" + (f":{seconds}" if seconds else "")
    return datetime.fromisoformat(f"{stamp}.{(fraction or '').ljust(6, '0')}{offset}")


_fromisoformat = datetime.fromisoformat if sys.version_info >= (3, 11) else _fromisoformat_before_311
