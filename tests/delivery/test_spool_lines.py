"""The spool's line encoding keeps every run exactly as Python's json alone would, and reads older lines."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from mltrace.delivery.spool import Spool
from mltrace.delivery.spool_lines import decode_line, encode_line
from mltrace.entities.artifact import ArtifactRef
from mltrace.entities.run_wire import from_wire, to_wire
from tests.factories import run


def _through_python_json(record):  # what the spool kept before orjson
    return from_wire(json.loads(json.dumps(to_wire(record), default=str, ensure_ascii=True)))


AWKWARD = {
    "plain": run("train", 0, inputs=[("raw/ü.csv", "h1")], outputs=["model"], params={"lr": 0.1}),
    "code and non-ASCII text": run("train", 0, code_snapshot="def f():\n    return '—²🙂'\n", notes="naïve"),
    "lone surrogate": run("train", 0, outputs=["bad\udcff.csv"], error="caf\udce9"),
    "non-finite params": run("train", 0, params={"nan": math.nan}, metrics={"inf": -math.inf}),
    "NaN threshold": run("train", 0, staleness_threshold_s=math.nan),
    "infinite threshold": run("train", 0, staleness_threshold_s=math.inf),
    "numpy threshold": run("train", 0, staleness_threshold_s=np.float64(60.5)),
    "huge upstream id": run("train", 0, upstream=[2**70]),
    "artifact": run("s", 0, outputs=["m"], artifacts=[ArtifactRef("m", "a" * 64, 3, "pickle")]),
    "nested params": run("train", 0, params={"grid": {"depth": [1, 2, {"x": None}]}, "big": 2**80}),
}


@pytest.mark.parametrize("name", list(AWKWARD))
def test_a_line_reads_back_as_python_json_would_give_it(name: str) -> None:
    record = AWKWARD[name]
    line = encode_line(record)
    assert b"\n" not in line
    back, expected = decode_line(line), _through_python_json(record)
    assert repr(back) == repr(expected)  # repr: NaN is not equal to itself


def test_lines_written_before_orjson_are_read(tmp_path) -> None:
    records = list(AWKWARD.values())
    old = "".join(json.dumps(to_wire(r), default=str, ensure_ascii=True) + "\n" for r in records)
    (tmp_path / "00000000000000000001-1-0.jsonl").write_text(old, encoding="ascii")
    ((_, read),) = list(Spool(tmp_path).claim())
    assert [repr(r) for r in read] == [repr(_through_python_json(r)) for r in records]


def test_a_common_run_is_written_by_orjson_and_an_awkward_one_by_python_json() -> None:
    assert encode_line(AWKWARD["plain"]).startswith(b'{"codec":"orjson",')
    for name in ("lone surrogate", "NaN threshold", "numpy threshold", "huge upstream id", "nested params"):
        assert encode_line(AWKWARD[name]).startswith(b'{"status":'), name
