"""The pagination cursor of recent runs: urlsafe base64 of `start_iso|id`, opaque to its users."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from mltrace.entities.times import iso_utc, parse_utc


def encode_cursor(start: datetime, run_id: int) -> str:
    """The cursor that continues after the run started at `start` with id `run_id`."""
    return base64.urlsafe_b64encode(f"{iso_utc(start)}|{run_id}".encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[datetime, int]:
    """`(start, id)` of a cursor; ValueError if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        start, _, run_id = raw.rpartition("|")
        return parse_utc(start), int(run_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("not a cursor") from None
