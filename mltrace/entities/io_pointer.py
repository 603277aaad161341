"""The IOPointer entity: an input or output identifier with its type and flag."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class PointerType(str, enum.Enum):
    """What an input or output is."""

    DATA = "data"
    MODEL = "model"
    ENDPOINT = "endpoint"
    UNKNOWN = "unknown"


@dataclass
class IOPointer:
    """An input or output identifier (a path, table, prediction id…) as stored."""

    name: str
    pointer_type: PointerType = PointerType.UNKNOWN
    value_hash: str | None = None
    flag: bool = False
    flag_reason: str | None = None
    flagged_at: datetime | None = None

    def to_dictionary(self) -> dict:
        """The pointer as a plain dict (original API)."""
        return {
            "name": self.name,
            "pointer_type": self.pointer_type.value,
            "value_hash": self.value_hash,
            "flag": self.flag,
            "flag_reason": self.flag_reason,
            "flagged_at": self.flagged_at,
        }
