"""OpenLineage events for the tests, built with the official client's classes (`openlineage.client.event_v2`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    dataset_version_dataset,
    error_message_run,
    nominal_time_run,
    parent_run,
    source_code_job,
    sql_job,
    tags_run,
)
from openlineage.client.serde import Serde

PRODUCER = "https://example.com/airflow"
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
WAREHOUSE = "postgres://warehouse:5432"


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def dataset(cls: Any, name: str, version: str | None = None, namespace: str = WAREHOUSE) -> Any:
    facets = {} if version is None else {"version": dataset_version_dataset.DatasetVersionDatasetFacet(version)}
    return cls(namespace=namespace, name=name, facets=facets)


def sql_job_events(run_id: str, parent: str | None = None, failed: bool = False) -> list[RunEvent]:
    """An Airflow task running SQL: reads `analytics.public.raw_events`, writes `analytics.public.features` v7."""
    query = "INSERT INTO analytics.public.features SELECT * FROM analytics.public.raw_events"
    job = Job(
        namespace="airflow",
        name="etl.build_features",
        facets={
            "sql": sql_job.SQLJobFacet(query=query),
            "sourceCode": source_code_job.SourceCodeJobFacet(language="sql", sourceCode=query),
        },
    )
    run_facets: dict[str, Any] = {
        "nominalTime": nominal_time_run.NominalTimeRunFacet(nominalStartTime=at(0)),
        "tags": tags_run.TagsRunFacet(tags=[tags_run.TagsRunFacetFields(key="env", value="prod")]),
    }
    if parent is not None:
        run_facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=parent), job=parent_run.Job(namespace="airflow", name="etl")
        )
    inputs = [dataset(InputDataset, "analytics.public.raw_events", "v3")]
    start = RunEvent(
        eventType=RunState.START,
        eventTime=at(0),
        run=Run(runId=run_id, facets=run_facets),
        job=job,
        inputs=inputs,
        producer=PRODUCER,
    )
    end_facets = dict(run_facets)
    if failed:
        end_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message="relation does not exist", programmingLanguage="sql"
        )
    end = RunEvent(
        eventType=RunState.FAIL if failed else RunState.COMPLETE,
        eventTime=at(5),
        run=Run(runId=run_id, facets=end_facets),
        job=job,
        inputs=inputs,
        outputs=[dataset(OutputDataset, "analytics.public.features", "v7")],
        producer=PRODUCER,
    )
    return [start, end]


def parent_events(run_id: str) -> list[RunEvent]:
    """The DAG run the task belongs to."""
    job = Job(namespace="airflow", name="etl")
    return [
        RunEvent(eventType=RunState.START, eventTime=at(-1), run=Run(runId=run_id), job=job, producer=PRODUCER),
        RunEvent(eventType=RunState.COMPLETE, eventTime=at(6), run=Run(runId=run_id), job=job, producer=PRODUCER),
    ]


def as_json(events: list[Any]) -> list[dict[str, Any]]:
    return [Serde.to_dict(e) for e in events]


def new_run_id() -> str:
    return str(uuid.uuid4())
