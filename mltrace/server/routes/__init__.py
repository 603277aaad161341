"""One blueprint per resource of the API, all under `/api/v1`."""

from mltrace.server.routes import (
    artifacts,
    audit,
    compare,
    components,
    diff,
    flags,
    health,
    impact,
    lineage,
    review,
    runs,
    search,
    tags,
    tokens,
    trace,
)

BLUEPRINTS = [
    health.blp,
    runs.blp,
    components.blp,
    tags.blp,
    trace.blp,
    diff.blp,
    compare.blp,
    flags.blp,
    review.blp,
    impact.blp,
    search.blp,
    artifacts.blp,
    lineage.blp,
    audit.blp,
    tokens.blp,
]
