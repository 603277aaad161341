"""The filter language read into conditions: every operator, keys, literals, orderings, and errors that name the
column of what cannot be read, whatever the text (malicious, unbalanced, huge, deeply nested)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mltrace.errors import FilterError, InvalidInputError
from mltrace.query.filter_grammar import (
    ATTRIBUTE,
    DEFAULT_ORDER,
    MAX_FILTER_CHARS,
    METRICS,
    PARAMS,
    Condition,
    Key,
    parse_filter,
    parse_order,
)

READ = [
    ("metrics.accuracy > 0.9", [(METRICS, "accuracy", ">", (0.9,))]),
    ("metrics.accuracy >= 1", [(METRICS, "accuracy", ">=", (1.0,))]),
    ("metrics.loss < -1e-3", [(METRICS, "loss", "<", (-0.001,))]),
    ("metrics.loss <= .5", [(METRICS, "loss", "<=", (0.5,))]),
    ("params.model = 'resnet18'", [(PARAMS, "model", "=", ("resnet18",))]),
    ('params.model != "vit"', [(PARAMS, "model", "!=", ("vit",))]),
    ("params.note = 'it''s'", [(PARAMS, "note", "=", ("it's",))]),
    ("params.flag = TRUE", [(PARAMS, "flag", "=", (True,))]),
    ("params.flag != false", [(PARAMS, "flag", "!=", (False,))]),
    ("params.model IN ('a', \"b\", 3)", [(PARAMS, "model", "in", ("a", "b", 3.0))]),
    ("params.model like 'res%'", [(PARAMS, "model", "like", ("res%",))]),
    ("metrics.`val loss` < 1", [(METRICS, "val loss", "<", (1.0,))]),
    ("metrics.`a``b` < 1", [(METRICS, "a`b", "<", (1.0,))]),
    ("metrics.val.loss < 1", [(METRICS, "val.loss", "<", (1.0,))]),
    ("metric.f1-score > 0", [(METRICS, "f1-score", ">", (0.0,))]),
    ("param.lr = 0.1", [(PARAMS, "lr", "=", (0.1,))]),
    ("status = 'failed'", [(ATTRIBUTE, "status", "=", ("failed",))]),
    ("component in ('train','eval')", [(ATTRIBUTE, "component", "in", ("train", "eval"))]),
    ("tag = 'serving'", [(ATTRIBUTE, "tag", "=", ("serving",))]),
    ("id = 7", [(ATTRIBUTE, "id", "=", (7.0,))]),
    ("run_id = 7", [(ATTRIBUTE, "id", "=", (7.0,))]),
    ("duration > 2.5", [(ATTRIBUTE, "duration", ">", (2.5,))]),
    ("inputs >= 2 AND outputs = 0", [(ATTRIBUTE, "inputs", ">=", (2.0,)), (ATTRIBUTE, "outputs", "=", (0.0,))]),
    (
        "git_commit = 'abc' and code_hash like 'f%'",
        [(ATTRIBUTE, "git_commit", "=", ("abc",)), (ATTRIBUTE, "code_hash", "like", ("f%",))],
    ),
    ("notes like '%retrain%'", [(ATTRIBUTE, "notes", "like", ("%retrain%",))]),
    ("  metrics.a>1   and\n\tparams.b='x'  ", [(METRICS, "a", ">", (1.0,)), (PARAMS, "b", "=", ("x",))]),
    ("", []),
    ("   ", []),
]


@pytest.mark.parametrize(("text", "expected"), READ, ids=[r[0] or "empty" for r in READ])
def test_each_form_of_condition_is_read(text: str, expected: list[tuple[object, ...]]) -> None:
    found = [(c.key.kind, c.key.name, c.op, c.values) for c in parse_filter(text)]
    assert found == expected


def test_times_are_read_with_the_one_time_normaliser_as_utc() -> None:
    (started,) = parse_filter("started >= '2026-11-01'")
    (ended,) = parse_filter("ended < '2026-11-01T10:00:00+02:00'")
    assert started.values == (datetime(2026, 11, 1, tzinfo=timezone.utc),)
    assert ended.values == (datetime(2026, 11, 1, 8, tzinfo=timezone.utc),)


def test_every_column_is_one_based_and_points_at_the_key() -> None:
    conditions = parse_filter("metrics.a > 1 and params.b = 'x'")
    assert [c.key.column for c in conditions] == [1, 19]


ERRORS = [
    # (text, column, words in the reason)
    ("metrics.accuracy >", 19, "ends too early"),
    ("metrics.accuracy > 0.9 and", 27, "ends too early"),
    ("params.model = 'resnet18", 16, "unbalanced quote"),
    ('params.model = "resnet18', 16, "unbalanced quote"),
    ("metrics.`val loss < 1", 8, "unexpected"),
    ("'; DROP TABLE component_runs; --", 1, "unbalanced quote"),
    ("params.x = ''; DROP TABLE component_runs; --'", 14, "unexpected"),
    ("metrics.a = 1 or metrics.b = 2", 15, "no 'or'"),
    ("metrics.a >> 1", 12, "unexpected"),
    ("metrics.a == 1", 12, "unexpected"),
    ("((metrics.a > 1))", 1, "unexpected"),
    ("colour = 'red'", 1, "unknown key"),
    ("tags.team = 'x'", 1, "unknown key"),
    ("foo.bar = 1", 1, "unknown key prefix"),
    ("status > 3", 10, "takes a string"),
    ("id = 'seven'", 6, "takes a number"),
    ("started >= 'yesterday'", 12, "ISO 8601"),
    ("started like '2026%'", 14, "takes a time"),
    ("metrics.a like 3", 16, "like takes a string"),
    ("params.flag > true", 15, "true and false"),
    ("tag > 'a'", 7, "tag is compared"),
    ("params.p like 'a\\'", 15, "backslash"),
    ("metrics.a > 1e999", 13, "out of range"),
    ("metrics.a in ()", 15, "unexpected"),
    ("metrics.a > 1 and and metrics.b > 1", 23, "unexpected"),  # the second `and` is read as a key
    ("params.x = 'a\x00b'", 14, "NUL"),
]


@pytest.mark.parametrize(("text", "column", "reason"), ERRORS, ids=[e[0] for e in ERRORS])
def test_a_bad_filter_names_the_column_of_the_offending_text(text: str, column: int, reason: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(text)
    assert caught.value.column == column, str(caught.value)
    assert reason in caught.value.reason
    assert isinstance(caught.value, InvalidInputError)  # exit 2 on the command line, 400 over HTTP
    message = str(caught.value)
    assert message.startswith(f"Invalid filter at column {column}: ") and "\n" not in message


def test_deep_nesting_is_an_error_at_the_first_parenthesis_not_a_recursion() -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter("(" * 5000 + "metrics.a > 1" + ")" * 5000)
    assert caught.value.column == 1


def test_a_10_kb_filter_is_read() -> None:
    values = ", ".join(f"'model-{i:05d}'" for i in range(700))
    text = f"params.model in ({values}) and metrics.a > 1"
    assert 10_000 < len(text) <= MAX_FILTER_CHARS
    first, second = parse_filter(text)
    assert len(first.values) == 700 and second.values == (1.0,)


def test_too_long_and_too_many_are_errors_with_their_column() -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter("metrics.a > 1 and " * 1000 + "metrics.a > 1")
    assert caught.value.column > MAX_FILTER_CHARS
    with pytest.raises(FilterError) as caught:
        parse_filter(" and ".join(["metrics.a > 1"] * 101))
    assert "at most 100 conditions" in caught.value.reason and caught.value.column == 100 * 18 + 1


def test_orderings_are_read_with_their_directions() -> None:
    assert parse_order("") == DEFAULT_ORDER
    terms = parse_order("metrics.accuracy DESC, params.`batch size`, started asc")
    assert [(t.key.kind, t.key.name, t.descending) for t in terms] == [
        (METRICS, "accuracy", True),
        (PARAMS, "batch size", False),
        (ATTRIBUTE, "started", False),
    ]


@pytest.mark.parametrize(("text", "column"), [("tag", 1), ("metrics.a sideways", 11), ("started desc,", 14), ("x", 1)])
def test_a_bad_ordering_names_its_column(text: str, column: int) -> None:
    with pytest.raises(FilterError) as caught:
        parse_order(text)
    assert caught.value.column == column
    assert str(caught.value).startswith(f"Invalid ordering at column {column}")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_read_or_refused_with_a_column_within_it(text: str) -> None:
    try:
        parse_filter(text)
    except FilterError as error:
        assert 1 <= error.column <= len(text) + 1


KEYS = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20)
STRINGS = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


@settings(max_examples=200, deadline=None)
@given(KEYS, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), STRINGS)
def test_any_key_in_backticks_and_any_quoted_string_read_back_as_written(key: str, op: str, value: str) -> None:
    quoted_key = "`" + key.replace("`", "``") + "`"
    quoted_value = "'" + value.replace("'", "''") + "'"
    (condition,) = parse_filter(f"params.{quoted_key} {op} {quoted_value}")
    assert condition == Condition(Key(PARAMS, key, 1), op, (value,))
