"""One blueprint per resource of the API, all under `/api/v1`."""

from mltrace.server.routes import (
    artifacts,
    compare,
    components,
    diff,
    flags,
    health,
    impact,
    review,
    runs,
    search,
    tags,
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
]
