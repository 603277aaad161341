"""Run keys: unique across calls, forked children and a pipeline's own use of `random`."""

from __future__ import annotations

import random

from mltrace.entities import new_run_key
from tests.forks import answer_in_fork


def _random_half(key: str) -> str:
    return key[16:]


def test_keys_are_unique_and_sort_by_creation_time() -> None:
    keys = [new_run_key() for _ in range(10_000)]
    assert len(set(keys)) == len(keys)
    assert all(len(k) == 32 and int(k, 16) >= 0 for k in keys)
    assert [k[:16] for k in keys] == sorted(k[:16] for k in keys)


def test_a_forked_child_draws_other_random_bits_than_its_parent() -> None:
    new_run_key()  # the parent's generator has a state the child inherits
    child_half = answer_in_fork(lambda: _random_half(new_run_key()))
    assert len(child_half) == 16
    assert child_half != _random_half(new_run_key())


def test_seeding_random_neither_repeats_keys_nor_is_disturbed_by_them() -> None:
    random.seed(7)
    first = _random_half(new_run_key())
    expected = random.random()
    random.seed(7)
    second = _random_half(new_run_key())
    assert random.random() == expected  # the pipeline's sequence is its own
    assert first != second
