"""Exceptions the client raises for queries: not found and invalid input."""


class MltraceError(Exception):
    """Base class of mltrace's own errors."""


class NotFoundError(MltraceError, LookupError):
    """An id, component or output that is not in the store."""


class InvalidInputError(MltraceError, ValueError):
    """An argument that cannot be used (bad limit, bad timestamp…)."""
