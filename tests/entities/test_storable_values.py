"""Names and free-form values the store cannot keep as they are are made storable, the same way every time."""

from __future__ import annotations

import hashlib
import json
import math
import os

from mltrace.entities.json_values import CUT_MARKER, strict_json
from mltrace.entities.limits import MAX_JSON_DEPTH, MAX_POINTER_NAME_BYTES, fit_pointer_name, json_depth, text_problem


def nested(levels: int) -> list:
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


def test_a_storable_name_is_kept_as_it_is() -> None:
    name = "data/raw/2026-12-01 données.csv"
    assert fit_pointer_name(name) == (name, None)


def test_undecodable_bytes_nuls_and_other_surrogates_become_escapes() -> None:
    fitted, problem = fit_pointer_name(os.fsdecode(b"bad-\xff\xfe.csv"))
    assert fitted == "bad-\\xff\\xfe.csv" and problem is not None and "lone surrogate" in problem
    assert fit_pointer_name("a\x00b")[0] == "a\\x00b"
    assert fit_pointer_name("x\ud800y")[0] == "x\\ud800y"
    assert text_problem(fitted) is None


def test_a_long_name_keeps_its_beginning_and_the_hash_of_the_whole() -> None:
    name = "é" * 3000 + "-end"
    fitted, problem = fit_pointer_name(name)
    assert problem == "is 6004 bytes long in UTF-8; at most 2000 are kept"
    assert len(fitted.encode()) <= MAX_POINTER_NAME_BYTES and fitted.startswith("é" * 900)
    assert fitted.endswith("…sha256:" + hashlib.sha256(name.encode()).hexdigest())
    assert fit_pointer_name(name) == (fitted, problem)  # the same name, the same pointer
    assert fit_pointer_name(name[:-1] + "E")[0] != fitted


def test_values_nested_deeper_than_the_limit_are_cut_and_the_cut_is_said() -> None:
    changes: list[str] = []
    kept = strict_json({"a": nested(MAX_JSON_DEPTH - 1)}, changes)
    assert json_depth(kept) == MAX_JSON_DEPTH and not changes
    cut = strict_json({"deep": nested(600), "lr": 0.1}, changes)
    assert json_depth(cut) == MAX_JSON_DEPTH and cut["lr"] == 0.1
    assert CUT_MARKER in json.dumps(cut)
    assert changes == [f"/deep/0/0/…/0: {CUT_MARKER}"]


def test_a_value_holding_itself_is_cut_instead_of_recursing_without_end() -> None:
    loop: dict = {"name": "x"}
    loop["self"] = loop
    assert json_depth(strict_json(loop)) == MAX_JSON_DEPTH
    json.dumps(strict_json(loop))


def test_text_is_escaped_numbers_made_strict_and_odd_objects_kept_as_text() -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    changes: list[str] = []
    value = {"path": os.fsdecode(b"in-\xff"), "nan": math.nan, "t": (1, 2), "odd": Unprintable()}
    assert strict_json(value, changes) == {"path": "in-\\xff", "nan": "NaN", "t": [1, 2], "odd": "<Unprintable>"}
    assert changes == ["/path: a NUL or lone surrogate written as an escape"]
