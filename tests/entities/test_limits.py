"""The limits every stored text obeys, checked in one place."""

from __future__ import annotations

import os

from mltrace.entities.limits import (
    MAX_JSON_DEPTH,
    MAX_POINTER_NAME_BYTES,
    cut_code,
    json_depth,
    json_problem,
    text_problem,
)


def test_ordinary_text_has_no_problem() -> None:
    assert text_problem("data/raw/2026-12-01.csv", max_bytes=MAX_POINTER_NAME_BYTES) is None


def test_nul_lone_surrogates_and_length_are_named() -> None:
    assert text_problem("a\x00b") == "contains a NUL character"
    problem = text_problem(os.fsdecode(b"bad-\xff.csv"))
    assert problem is not None and "lone surrogate (U+DCFF) at position 4" in problem
    assert text_problem("x" * 256, max_chars=255) == "is 256 characters long; at most 255 are kept"
    assert text_problem("é" * 1001, max_bytes=2000) == "is 2002 bytes long in UTF-8; at most 2000 are kept"


def test_json_depth_counts_nesting_without_recursion() -> None:
    assert json_depth(3) == 0
    assert json_depth({"a": [1, {"b": 2}]}) == 3
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert json_depth(deep) == 5001


def test_json_problem_names_deep_nesting_and_lone_surrogates_but_not_nul_or_null() -> None:
    assert json_problem({"a": [1, None, "x\x00y", {"b": 2.5}]}) is None
    deep: object = 1
    for _ in range(MAX_JSON_DEPTH):
        deep = [deep]
    assert json_problem(deep) is None
    assert json_problem([deep]) == f"is nested more than {MAX_JSON_DEPTH} levels deep"
    assert "lone surrogate" in (json_problem({"k": ["\udc80"]}) or "")
    assert (json_problem({"\ud800": 1}) or "").startswith("has a key that contains a lone surrogate")


def test_cut_code_keeps_short_code_and_cuts_long_code_at_a_character() -> None:
    assert cut_code("def f(): pass", 100) == "def f(): pass"
    assert cut_code("é" * 10, 5) == "éé\n# … cut at 5 bytes by mltrace"


def test_stored_outputs_and_cache_entries_are_checked_as_every_store_does() -> None:
    from mltrace.entities import ComponentRun, IOPointer
    from mltrace.entities.artifact import ArtifactRef, CacheEntry
    from tests.factories import run

    digest = "ab" * 32
    good = run("fit", 0, outputs=[IOPointer("m.pkl", value_hash=digest)])
    good.artifacts = [ArtifactRef("m.pkl", digest, 10, "pickle")]
    good.cache = CacheEntry("cd" * 32, {"code": "x"}, digest, "pickle")
    assert good.problems() == []
    bad: ComponentRun = run("fit", 0, status="cached", outputs=["other"])
    bad.artifacts = [ArtifactRef("m.pkl", "not a digest", -1, "yaml")]
    assert bad.problems() == [
        "the artifact 'm.pkl' is not an output of the run",
        "the artifact 'm.pkl' has no SHA-256 digest",
        "the size of the artifact 'm.pkl' is not a number of bytes",
        "the artifact 'm.pkl' has an unknown serializer 'yaml'",
        "a cached run must name the run it reused",
    ]
