"""`--json` output is exactly what the HTTP API sends for the same entities."""

from __future__ import annotations

import json
from pathlib import Path

from mltrace.cli import shapes
from mltrace.client import Client
from mltrace.samples import DemoInfo
from mltrace.server import schemas
from tests.cli.conftest import Invoke
from tests.factories import run


def test_runs_pointers_and_components_match_the_api_schemas(shown_demo: DemoInfo) -> None:
    client = Client(shown_demo.db_uri)
    for run_id in (shown_demo.culprit_run_id, shown_demo.stale_run_ids[0], shown_demo.failed_run_ids[0]):
        run = client.get_run(run_id)
        assert shapes.run_json(run) == schemas.RunSchema().dump(run)
        component = client.component(run.component_name)
        assert shapes.component_json(component) == schemas.ComponentSchema().dump(component)
    flagged = client.pointer(shown_demo.bad_prediction_ids[0])
    assert shapes.pointer_json(flagged) == schemas.PointerSchema().dump(flagged)


def test_previews_and_their_counts_match_the_api_schema(db_uri: str, mltrace_home: Path) -> None:
    client = Client(db_uri)
    client.ingest([run("score", 0, inputs=["model.pkl"], outputs=[f"scores/{k}" for k in range(25)])])
    (preview,) = client.recent(1)
    assert preview.is_preview
    assert shapes.run_json(preview) == schemas.RunSchema().dump(preview)
    assert shapes.run_json(preview)["outputs_count"] == 25


def test_trace_and_review_json_match_the_api_schemas(shown_demo: DemoInfo, show: Invoke) -> None:
    client = Client(shown_demo.db_uri)
    graph = client.trace(shown_demo.bad_prediction_ids[0])
    assert json.loads(show("trace", shown_demo.bad_prediction_ids[0], "--json").stdout) == schemas.TraceSchema().dump(
        graph
    )
    review = client.review(5)
    expected = schemas.ReviewSchema().dump(
        {"flagged": review["flagged"], "runs": [schemas.ranked(*entry) for entry in review["runs"]]}
    )
    assert json.loads(show("review", "-n", "5", "--json").stdout) == expected
