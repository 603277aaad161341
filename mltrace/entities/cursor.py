"""The pagination cursor of recent runs, opaque to its users: `<microseconds from 0001-01-01 UTC to the start>.<id>`.

Every text matching `PATTERN` is a cursor: a position past the last time or the largest id stands for that last one,
so the pattern alone says which cursors the API takes.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from mltrace.entities.component_run import MAX_RUN_ID
from mltrace.entities.times import EARLIEST, LATEST, utc

PATTERN = r"^[0-9]{1,18}\.[0-9]{1,10}$"
_PATTERN = re.compile(PATTERN)
_MICROSECOND = timedelta(microseconds=1)
_LAST = (LATEST - EARLIEST) // _MICROSECOND


def encode_cursor(start: datetime, run_id: int) -> str:
    """The cursor that continues after the run started at `start` with id `run_id`."""
    return f"{(utc(start) - EARLIEST) // _MICROSECOND}.{run_id}"


def decode_cursor(text: str) -> tuple[datetime, int]:
    """`(start, id)` of a cursor; ValueError if it is not one."""
    if not _PATTERN.fullmatch(text):
        raise ValueError("not a cursor")
    micros, run_id = text.split(".")
    return EARLIEST + min(int(micros), _LAST) * _MICROSECOND, min(int(run_id), MAX_RUN_ID)
