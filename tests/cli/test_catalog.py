"""`mltrace components`, `tags` and `tag` on the demo pipeline (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from mltrace.samples import DemoInfo
from tests.cli.conftest import Invoke, one_line_error

COMPONENTS = ["clean", "featurize", "ingest", "predict", "train"]


def test_components_lists_owner_tags_and_description(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("components")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["NAME", "OWNER", "TAGS", "DESCRIPTION"]
    assert [r.split()[0] for r in rows] == COMPONENTS
    ingest = rows[COMPONENTS.index("ingest")]
    assert ingest.split()[1:4] == ["data-eng", "etl,", "sensors"]
    assert ingest.index("data-eng") == header.index("OWNER")


def test_components_filter_by_owner_and_tag(shown_demo: DemoInfo, show: Invoke) -> None:
    by_owner = json.loads(show("components", "--owner", "ml-team", "--json").stdout)
    assert [c["name"] for c in by_owner["components"]] == ["predict", "train"]
    by_tag = json.loads(show("components", "--tag", "etl", "--json").stdout)
    assert [c["name"] for c in by_tag["components"]] == ["clean", "ingest"]
    assert set(by_tag["components"][0]) == {"name", "owner", "description", "tags"}
    assert show("components", "--owner", "nobody").stdout == "No components match.\n"


def test_tags_lists_every_tag(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("tags")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["etl", "features", "sensors", "serving", "training"]
    assert json.loads(show("tags", "--json").stdout) == {"tags": ["etl", "features", "sensors", "serving", "training"]}


def test_tag_shows_its_components_with_recent_runs(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("tag", "etl")
    assert result.exit_code == 0, result.output
    assert "clean (data-eng): Deduplicates events" in result.stdout
    assert "ingest (data-eng): Copies the day's sensor events" in result.stdout
    data = json.loads(show("tag", "etl", "--json").stdout)
    assert data["tag"] == "etl"
    ingest = next(c for c in data["components"] if c["name"] == "ingest")
    assert [r["id"] for r in ingest["recent_runs"]] == list(reversed(shown_demo.run_ids["ingest"]))[:5]


def test_tag_that_nothing_has_exits_1(shown_demo: DemoInfo, show: Invoke) -> None:
    result = show("tag", "no-such-tag")
    assert result.exit_code == 1
    assert one_line_error(result) == "Error: No component is tagged 'no-such-tag'."
