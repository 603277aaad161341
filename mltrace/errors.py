"""Exceptions the client raises for queries: not found and invalid input."""


class MltraceError(Exception):
    """Base class of mltrace's own errors."""


class NotFoundError(MltraceError, LookupError):
    """An id, component or output that is not in the store."""


class InvalidInputError(MltraceError, ValueError):
    """An argument that cannot be used (bad limit, bad timestamp…)."""


def run_not_found(run_id: object) -> NotFoundError:
    """The error for a run id that is not in the store, worded the same wherever it is raised."""
    return NotFoundError(f"Run {run_id} not found.")
