"""mltrace: lineage tracing for machine-learning pipelines (the public API only)."""

from mltrace.client import (
    add_notes_to_component_run,
    backtrace,
    clean_db,
    compare,
    create_component,
    create_random_ids,
    diff,
    flag_impact,
    flag_output_id,
    flush,
    get_component_information,
    get_component_run_information,
    get_components,
    get_db_uri,
    get_history,
    get_io_pointer,
    get_recent_run_ids,
    get_tags,
    impact,
    log_component_run,
    rejected,
    review_flagged_outputs,
    set_address,
    set_db_uri,
    tag_component,
    trace,
    unflag_all,
    unflag_output_id,
    web_trace,
)
from mltrace.delivery.gitinfo import get_git_hash, get_git_tags
from mltrace.entities import ComponentRun, IOPointer
from mltrace.errors import InvalidInputError, NotFoundError
from mltrace.tracking.artifacts import load, log_artifact, save
from mltrace.tracking.caching import cache_plan
from mltrace.tracking.component import Component
from mltrace.tracking.decorator import register
from mltrace.tracking.testing import Test
from mltrace.tracking.values import log_metrics, log_params

__version__ = "0.1.0"

__all__ = [
    "Component",
    "ComponentRun",
    "IOPointer",
    "InvalidInputError",
    "NotFoundError",
    "Test",
    "add_notes_to_component_run",
    "clean_db",
    "compare",
    "create_component",
    "create_random_ids",
    "diff",
    "flag_impact",
    "flag_output_id",
    "flush",
    "rejected",
    "get_component_information",
    "get_component_run_information",
    "get_components",
    "get_db_uri",
    "get_git_hash",
    "get_git_tags",
    "get_history",
    "get_io_pointer",
    "get_recent_run_ids",
    "get_tags",
    "impact",
    "load",
    "log_component_run",
    "log_metrics",
    "log_params",
    "register",
    "review_flagged_outputs",
    "save",
    "set_address",
    "set_db_uri",
    "tag_component",
    "trace",
    "unflag_all",
    "unflag_output_id",
    "web_trace",
    "backtrace",
    "cache_plan",
    "log_artifact",
]
