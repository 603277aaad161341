"""Exceptions of mltrace: not found, invalid input, and the two ways a store can fail a delivery."""

from __future__ import annotations


class MltraceError(Exception):
    """Base class of mltrace's own errors."""


class NotFoundError(MltraceError, LookupError):
    """An id, component or output that is not in the store."""


class InvalidInputError(MltraceError, ValueError):
    """An argument that cannot be used (bad limit, bad timestamp…)."""


class ConflictError(MltraceError):
    """A change that clashes with what is stored (a token name in use)."""


class AccessDeniedError(MltraceError):
    """A server refused the request's token: none, unknown, revoked or expired (401), or too small a scope (403)."""


class MissingDatabaseError(MltraceError):
    """A query on a SQLite file that does not exist (a mistyped path): nothing is created for a query."""


class StoreUnreachableError(MltraceError):
    """The store could not be reached in time (down, hanging, a lost connection): nothing was stored, and the
    same runs can be delivered again later."""


class RunsRefusedError(MltraceError):
    """The store refused a batch for its content: nothing was stored.

    `reasons` maps the position in the batch of each run the store named to why it cannot be stored; it is
    empty when the store did not say which runs (the batch is then stored in halves to find them).
    """

    def __init__(self, message: str, reasons: dict[int, str] | None = None) -> None:
        super().__init__(message)
        self.reasons = dict(reasons or {})


def run_not_found(run_id: object) -> NotFoundError:
    """The error for a run id that is not in the store, worded the same wherever it is raised."""
    return NotFoundError(f"Run {run_id} not found.")


class ArtifactMissingError(NotFoundError):
    """An artifact whose bytes are not in the artifact store (never stored there, or deleted)."""


class CorruptArtifactError(MltraceError):
    """An artifact whose bytes in the store no longer hash to its SHA-256: nothing was returned or written."""


class FilterError(InvalidInputError):
    """A filter or ordering of runs that cannot be read: `column` is the 1-based position of the offending text,
    `reason` what is wrong there, `near` the text from there (cut short)."""

    def __init__(self, message: str, column: int, text: str = "", what: str = "filter") -> None:
        self.reason, self.column, self.text, self.what = message, column, text, what
        self.near = _pointing_at(text, column)
        super().__init__(f"Invalid {what} at column {column}: {message}{self.near}")


def _pointing_at(text: str, column: int) -> str:
    """` (near "…")`: the text from the offending position, cut short, to show where it is."""
    if not text:
        return ""
    near = text[column - 1 : column + 29]
    return f' (near "{near}")' if near else " (at the end)"


class MissingExtraError(MltraceError, ImportError):
    """A feature whose optional dependencies are not installed; the message says what to install."""
