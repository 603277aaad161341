"""Value hashes depend on content only: the same in every process, whatever the hash seed, insertion order
or memory addresses, and no hash at all for a value that has no content encoding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import OrderedDict, namedtuple
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrace.tracking.hashing import content_hash

REPO = Path(__file__).resolve().parents[2]

# Each value is built inside the child interpreter, so sets are filled in that process's hash order and
# objects live at that process's addresses.
VALUES_IN_A_CHILD = """
import json, sys
from fractions import Fraction
import numpy as np
import pandas as pd
from mltrace.tracking.hashing import content_hash

words = [f"feature_{i}" for i in range(40)]
values = {
    "set": set(words),
    "frozenset of tuples": frozenset((w, i) for i, w in enumerate(words)),
    "dict": {w: {"nested": {w, w.upper()}} for w in words},
    "object array": np.array([Fraction(i, 7) for i in range(20)] + [{"k": set(words[:5])}], dtype=object),
    "frame with lists": pd.DataFrame({"ids": [[1, 2], [3], []], "tags": [set(words[:3]), set(), {"x"}]}),
    "series of sets": pd.Series([set(words[:i]) for i in range(5)], name="sets"),
}
hashes = {}
for name, value in values.items():
    try:
        hashes[name] = content_hash(value)
    except Exception as exc:
        hashes[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(hashes))
"""


def _hashes_in_a_child(seed: str) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", VALUES_IN_A_CHILD],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "PYTHONHASHSEED": seed},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_hashes_are_the_same_in_interpreters_with_different_hash_seeds() -> None:
    first, second, third = (_hashes_in_a_child(seed) for seed in ("0", "1", "12345"))
    assert all(len(h) == 32 for h in first.values()), first  # every value has a hash
    assert first == second == third
    assert len(set(first.values())) == len(first)  # and the values are told apart


def test_dict_insertion_order_does_not_change_the_hash() -> None:
    forward = {f"k{i}": i for i in range(50)}
    backward = dict(reversed(list(forward.items())))
    assert list(forward) != list(backward)
    assert content_hash(forward) == content_hash(backward)
    assert content_hash({"a": {"x": 1, "y": 2}}) == content_hash({"a": {"y": 2, "x": 1}})
    assert content_hash({"a": 1, "b": 2}) != content_hash({"a": 2, "b": 1})


def test_object_arrays_are_hashed_by_the_objects_not_their_addresses() -> None:
    def build(numerator: int) -> np.ndarray:
        return np.array([Fraction(numerator, 3), Fraction(5, 7), "text"], dtype=object)

    first, second = build(1), build(1)
    assert first[0] is not second[0]
    assert content_hash(first) == content_hash(second)
    assert content_hash(first) != content_hash(build(2))


def test_dataframes_with_list_cells_are_hashed_by_content() -> None:
    frame = pd.DataFrame({"ids": [[1, 2], [3]], "name": ["a", "b"]})
    assert content_hash(frame) == content_hash(pd.DataFrame({"ids": [[1, 2], [3]], "name": ["a", "b"]}))
    changed = frame.copy()
    changed.at[1, "ids"] = [4]
    assert content_hash(changed) != content_hash(frame)


@dataclass
class Config:
    name: str
    layers: list[int]
    tags: set[str] = field(default_factory=set)


def test_other_objects_are_hashed_by_the_state_pickle_would_save() -> None:
    a = Config("net", [64, 32], {"x", "y", "z"})
    b = Config("net", [64, 32], {"z", "y", "x"})
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(Config("net", [64, 16], {"x", "y", "z"}))
    point = namedtuple("Point", "x y")  # noqa: PYI024
    assert content_hash(point(1, 2)) != content_hash((1, 2))
    assert content_hash(OrderedDict(a=1)) != content_hash({"a": 1})  # the class is part of the content


def test_equal_looking_values_of_other_types_hash_apart() -> None:
    hashes = {
        content_hash(v)
        for v in (1, 1.0, True, "1", b"1", [1], (1,), {1}, np.int64(1), np.float64(1.0), np.array([1]), None)
    }
    assert len(hashes) == 12


def test_a_value_holding_itself_is_hashed_without_end() -> None:
    loop: list = [1]
    loop.append(loop)
    other: list = [2]
    other.append(other)
    assert content_hash(loop) == content_hash(loop)
    assert content_hash(loop) != content_hash(other)


def test_a_value_without_content_encoding_gets_no_hash() -> None:
    from mltrace.tracking.hashing import UnhashableValueError  # imported here so the other tests run on any version

    class Holder:
        def __init__(self) -> None:
            self.lock = threading.Lock()

    with pytest.raises(UnhashableValueError, match="pickle cannot save it"):
        content_hash(Holder())
    with pytest.raises(UnhashableValueError, match="pickle cannot save it"):
        content_hash({"rows": (i for i in range(3))})
    deep: list = []
    for _ in range(500):
        deep = [deep]
    with pytest.raises(UnhashableValueError):
        content_hash(deep)
