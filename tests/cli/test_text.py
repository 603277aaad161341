"""The human output: durations, local times, aligned tables and trace trees."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mltrace.cli import text


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


DURATION_CASES = json.loads((Path(__file__).parents[2] / "ui" / "src" / "lib" / "durationCases.json").read_text())
SIZE_CASES = json.loads((Path(__file__).parents[2] / "ui" / "src" / "lib" / "sizeCases.json").read_text())


@pytest.mark.parametrize("ms, shown", [(None, "-"), *map(tuple, DURATION_CASES["cases"])])
def test_durations_read_naturally_and_as_the_console_shows_them(ms: float | None, shown: str) -> None:
    assert text.duration(ms) == shown


def test_counts_take_the_singular_for_one() -> None:
    assert [text.count(n, "flag") for n in (0, 1, 2)] == ["0 flags", "1 flag", "2 flags"]
    assert text.count(1, "flagged output") == "1 flagged output"
    assert text.count(3, "entry", "entries") == "3 entries"


def test_times_are_shown_in_the_local_zone(new_york: None) -> None:
    assert text.local_time(datetime(2024, 1, 15, 12, 0, tzinfo=timezone.utc)) == "2024-01-15 07:00:00"
    assert text.local_time(datetime(2024, 7, 15, 12, 0, tzinfo=timezone.utc)) == "2024-07-15 08:00:00"
    assert text.local_time(datetime(2024, 1, 15, 12, 0)) == "2024-01-15 07:00:00"  # naive means UTC
    assert text.local_zone() in ("EST", "EDT")


def test_table_columns_line_up() -> None:
    out = text.table(("ID", "NAME", "NOTE"), [(1, "a-long-name", "x"), (22, "b", None)])
    header, first, second = out.splitlines()
    assert header == "ID  NAME         NOTE"
    assert first == "1   a-long-name  x"
    assert second == "22  b"


def test_trace_tree_draws_each_node_once() -> None:
    t = "2024-01-01T00:00:00+00:00"
    run = {"kind": "run", "start": datetime.fromisoformat(t), "end": None, "status": "success", "stale": []}
    graph = {
        "root": "pointer:out",
        "direction": "upstream",
        "nodes": [
            {"id": "pointer:out", "kind": "pointer", "name": "out", "type": "data", "flagged": True},
            {**run, "id": "run:3", "run_id": 3, "component": "join"},
            {"id": "pointer:a", "kind": "pointer", "name": "a", "type": "data", "flagged": False},
            {"id": "pointer:b", "kind": "pointer", "name": "b", "type": "data", "flagged": False},
            {**run, "id": "run:1", "run_id": 1, "component": "split", "stale": ["old"]},
        ],
        "edges": [
            {"source": "run:3", "target": "pointer:out"},
            {"source": "pointer:a", "target": "run:3"},
            {"source": "pointer:b", "target": "run:3"},
            {"source": "run:1", "target": "pointer:a"},
            {"source": "run:1", "target": "pointer:b"},
        ],
    }
    lines = text.trace_tree(graph).splitlines()
    assert lines[0] == "out [data]  FLAGGED"
    assert lines[1].startswith("`-- run 3 join  ") and lines[1].endswith("  success")
    assert lines[2] == "    |-- a [data]"
    assert lines[3].startswith("    |   `-- run 1 split  ") and lines[3].endswith("success  STALE")
    assert lines[4] == "    `-- b [data]"
    assert lines[5].startswith("        `-- run 1 split") and lines[5].endswith("(see above)")
    assert len(lines) == 6


def test_a_trace_thousands_deep_draws_without_recursion_and_stops_moving_right() -> None:
    start = datetime.fromisoformat("2024-01-01T00:00:00+00:00")
    nodes = [{"id": "pointer:x3000", "kind": "pointer", "name": "x3000", "type": "data", "flagged": False}]
    edges = []
    for i in range(3000, 0, -1):  # run i read x{i-1} and wrote x{i}
        nodes.append({"id": f"run:{i}", "kind": "run", "run_id": i, "component": "step", "start": start, "end": None,
                      "status": "success", "stale": []})  # fmt: skip
        nodes.append(
            {"id": f"pointer:x{i - 1}", "kind": "pointer", "name": f"x{i - 1}", "type": "data", "flagged": False}
        )
        edges += [
            {"source": f"run:{i}", "target": f"pointer:x{i}"},
            {"source": f"pointer:x{i - 1}", "target": f"run:{i}"},
        ]
    lines = text.trace_tree(
        {"root": "pointer:x3000", "direction": "upstream", "nodes": nodes, "edges": edges}
    ).splitlines()
    assert len(lines) == 1 + 6000
    assert lines[1].startswith("`-- run 3000 step")
    assert lines[text.MAX_INDENT].startswith(" " * 4 * (text.MAX_INDENT - 1) + "`-- ")
    assert "[level" not in lines[text.MAX_INDENT]
    assert lines[-1] == " " * 4 * (text.MAX_INDENT - 1) + "`-- [level 6000] x0 [data]"
    assert max(len(line) for line in lines) < 4 * text.MAX_INDENT + 60


@pytest.mark.parametrize(("size", "shown"), SIZE_CASES["cases"])
def test_sizes_read_as_in_the_console(size: int, shown: str) -> None:
    assert text.size(size) == shown
