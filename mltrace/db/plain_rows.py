"""Rows of a text statement as the driver returns them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult


def plain_rows(result: CursorResult[Any]) -> Sequence[Sequence[Any]]:
    """Every row of `result` as the driver's tuples, and the result closed.

    For the thousands of rows of a trace, building SQLAlchemy `Row` objects costs a third of reading them;
    a text statement declares no column types, so SQLAlchemy would convert nothing anyway.
    """
    try:
        return result.cursor.fetchall()
    finally:
        result.close()
