"""Filters and orderings of runs on SQLite and PostgreSQL: every operator against a table of runs whose expected
answer is written out, NaN and missing keys, strings past the prefix index, pagination, and malicious values that
stay values."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from mltrace.client import Client
from mltrace.entities import ComponentRun, new_run_key
from mltrace.errors import FilterError
from tests.conftest import fresh_database

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
LONG = "x" * 250  # past the 200 characters of the prefix index
LONG_OTHER = "x" * 249 + "y"

# (component, status, hours after T0, seconds long, params, metrics, git commit)
RUNS = [
    ("train", "success", 0, 1, {"model": "resnet18", "lr": 0.1, "flag": True}, {"accuracy": 0.95, "loss": 0.2}, "aaa"),
    ("train", "failed", 1, 2, {"model": "resnet50", "lr": 0.01, "flag": False}, {"accuracy": 0.80}, "bbb"),
    ("train", "success", 2, 3, {"model": "vit", "lr": 1, "flag": 1}, {"accuracy": math.nan, "loss": 0.1}, None),
    ("eval", "success", 24, 4, {"model": "Resnet18", "note": LONG}, {"accuracy": 0.91}, "aaa"),
    ("eval", "failed", 25, 5, {"model": "résnet", "note": LONG_OTHER}, {"accuracy": math.inf}, None),
    ("serve", "success", 48, 6, {"model": "'; DROP TABLE component_runs; --", "layers": [1, 2]}, {}, None),
    ("serve", "success", 49, 7, {"model": "50%_off"}, {"accuracy": -math.inf, "loss": 0.1}, None),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stored(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Client, list[int]]]:
    with fresh_database(request, tmp_path_factory.mktemp("filters")) as uri:
        client = Client(uri)
        records = [
            ComponentRun(
                component_name=component,
                status=status,
                start_timestamp=T0 + timedelta(hours=hours),
                end_timestamp=T0 + timedelta(hours=hours, seconds=seconds),
                params=params,
                metrics=metrics,
                git_hash=git,
                key=new_run_key(),
            )
            for component, status, hours, seconds, params, metrics, git in RUNS
        ]
        ids = client.ingest(records)
        client.create_component("serve", tags=["serving", "prod"])
        client.create_component("eval", tags=["offline"])
        yield client, ids


CASES = [
    # (filter, the positions in RUNS it selects)
    ("", [0, 1, 2, 3, 4, 5, 6]),
    ("metrics.accuracy > 0.9", [0, 3, 4]),
    ("metrics.accuracy >= 0.91", [0, 3, 4]),
    ("metrics.accuracy < 0.9", [1, 6]),
    ("metrics.accuracy <= 0.8", [1, 6]),
    ("metrics.accuracy = 0.8", [1]),
    ("metrics.accuracy != 0.8", [0, 3, 4, 6]),  # NaN and runs without the key never match, != included
    ("metrics.accuracy in (0.8, 0.95)", [0, 1]),
    ("metrics.missing > 0", []),  # an unknown key matches nothing
    ("metrics.missing != 0", []),
    ("params.model = 'resnet18'", [0]),  # case-sensitive
    ("params.model != 'resnet18'", [1, 2, 3, 4, 5, 6]),
    ("params.model in ('vit', 'résnet')", [2, 4]),
    ("params.model like 'res%'", [0, 1]),  # case-sensitive on both databases
    ("params.model like '_esnet%'", [0, 1, 3]),
    ("params.model like '50\\%\\_off'", [6]),
    ("params.model like '%DROP%'", [5]),
    ("params.model = '''; DROP TABLE component_runs; --'", [5]),
    ("params.model > 'vit'", []),
    ("params.model < 'Z'", [3, 5, 6]),  # by code point: punctuation, digits, upper case first
    ("params.model > 'v'", [2]),
    ("params.note = '" + LONG + "'", [3]),  # equal in the first 200 characters, not after
    ("params.note != '" + LONG + "'", [4]),
    ("params.note in ('" + LONG_OTHER + "')", [4]),
    ("params.lr = 1", [2]),
    ("params.lr < 0.05", [1]),
    ("params.lr = '1'", []),  # a string compares texts, and 1 is a number
    ("params.flag = true", [0]),  # true is a boolean, 1 is not
    ("params.flag = false", [1]),
    ("params.flag != true", [1]),
    ("params.flag = 1", [0, 2]),  # a number compares numbers, booleans as 1 and 0
    ("params.layers = '[1, 2]'", [5]),  # other values compare as their JSON
    ("status = 'failed'", [1, 4]),
    ("status != 'success'", [1, 4]),
    ("status in ('cached', 'failed')", [1, 4]),
    ("component = 'train'", [0, 1, 2]),
    ("component like 'se%'", [5, 6]),
    ("component > 'serve'", [0, 1, 2]),
    ("tag = 'serving'", [5, 6]),
    ("tag != 'serving'", [0, 1, 2, 3, 4]),
    ("tag in ('offline', 'prod')", [3, 4, 5, 6]),
    ("tag like 'off%'", [3, 4]),
    ("started >= '2026-11-02'", [3, 4, 5, 6]),
    ("started < '2026-11-02T01:00:00+01:00'", [0, 1, 2]),
    ("started = '2026-11-01T01:00:00Z'", [1]),
    ("ended > '2026-11-03T01:00:06'", [6]),
    ("duration >= 3", [2, 3, 4, 5, 6]),
    ("duration < 2.5", [0, 1]),
    ("duration = 4", [3]),
    ("git_commit = 'aaa'", [0, 3]),
    ("git_commit != 'aaa'", [1]),
    ("code_hash = 'x'", []),
    ("inputs = 0 and outputs = 0", [0, 1, 2, 3, 4, 5, 6]),
    ("inputs > 0", []),
    ("id = 0.5", []),
    ("metrics.accuracy > 0.5 and params.model like 'res%' and status = 'success' and component = 'train'", [0]),
    ("metrics.loss = 0.1 and tag = 'prod'", [6]),
]


@pytest.mark.parametrize(("where", "expected"), CASES, ids=[c[0][:60] or "all" for c in CASES])
def test_each_operator_selects_the_runs_it_should(stored: tuple[Client, list[int]], where: str, expected: list[int]):
    client, ids = stored
    found = client.search_runs(where, limit=100)
    assert sorted(run.id for run in found) == sorted(ids[i] for i in expected)
    if where.startswith("id = "):
        return
    (first,) = client.search_runs(f"id = {ids[0]}")  # ids are numbers like any other
    assert first.id == ids[0]


def test_the_stored_runs_survive_the_malicious_string(stored: tuple[Client, list[int]]) -> None:
    client, ids = stored
    client.search_runs("params.model = '; DROP TABLE component_runs; --'")
    assert len(client.search_runs(limit=100)) == len(RUNS)


ORDERS = [
    # (ordering, positions in order)
    ("", [6, 5, 4, 3, 2, 1, 0]),
    ("started", [0, 1, 2, 3, 4, 5, 6]),
    ("started desc", [6, 5, 4, 3, 2, 1, 0]),
    # numbers first, then what has no number; NaN and missing last, whatever the direction
    ("metrics.accuracy desc", [4, 0, 3, 1, 6, 5, 2]),
    ("metrics.accuracy", [6, 1, 3, 0, 4, 2, 5]),
    ("params.model", [5, 6, 3, 0, 1, 4, 2]),  # by code point: quote, digit, upper case, then r-e before r-\u00e9
    ("params.lr desc, started", [2, 0, 1, 3, 4, 5, 6]),
    ("component, duration desc", [4, 3, 6, 5, 2, 1, 0]),
    ("status desc, id", [0, 2, 3, 5, 6, 1, 4]),
    ("git_commit, started desc", [3, 0, 1, 6, 5, 4, 2]),  # runs without a commit last
    ("metrics.loss, metrics.accuracy desc", [6, 2, 0, 4, 3, 1, 5]),
]


@pytest.mark.parametrize(("order_by", "expected"), ORDERS, ids=[o[0] or "default" for o in ORDERS])
def test_orderings_sort_runs_and_every_page_continues_where_the_last_ended(
    stored: tuple[Client, list[int]], order_by: str, expected: list[int]
) -> None:
    client, ids = stored
    whole = [run.id for run in client.search_runs("", order_by, limit=100)]
    assert whole == [ids[i] for i in expected]
    for size in (1, 2, 3):
        pages, before = [], None
        while True:
            page = client.search_runs("", order_by, limit=size, before=before)
            pages += [run.id for run in page]
            if len(page) < size:
                break
            before = (page[-1].start_timestamp, page[-1].id)
        assert pages == whole, size


def test_filtered_pages_keep_the_filter(stored: tuple[Client, list[int]]) -> None:
    client, ids = stored
    first = client.search_runs("metrics.accuracy > 0", "metrics.accuracy desc", limit=2)
    rest = client.search_runs(
        "metrics.accuracy > 0", "metrics.accuracy desc", 10, (first[-1].start_timestamp, first[-1].id)
    )
    assert [r.id for r in first + rest] == [ids[4], ids[0], ids[3], ids[1]]


def test_a_cursor_naming_no_run_ends_an_ordered_listing(stored: tuple[Client, list[int]]) -> None:
    client, _ = stored
    assert client.search_runs("", "metrics.accuracy", 5, (T0, 999_999)) == []


def test_a_bad_filter_is_refused_before_the_database(stored: tuple[Client, list[int]]) -> None:
    client, _ = stored
    with pytest.raises(FilterError) as caught:
        client.search_runs("metrics.accuracy > 0.9 and params.model = 'resnet18")
    assert caught.value.column == 43


def test_listed_runs_have_the_shape_of_recent_ones(stored: tuple[Client, list[int]]) -> None:
    client, ids = stored
    (found,) = client.search_runs("params.model = 'resnet18'")
    (recent,) = [run for run in client.recent(100) if run.id == ids[0]]
    assert found == recent
