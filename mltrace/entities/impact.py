"""What an impact query answers: the runs and endpoint outputs downstream of an output or a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mltrace.entities.io_pointer import PointerType


@dataclass(frozen=True)
class AffectedOutput:
    """An endpoint output downstream of the selection, with the latest affected run that wrote it."""

    name: str
    pointer_type: PointerType
    flagged: bool
    run_id: int
    component: str
    time: datetime  # when that run started


@dataclass(frozen=True)
class Impact:
    """The blast radius of an output or a run: affected runs per component, and the endpoint outputs they wrote
    (`endpoints` and `flagged` count them all; `outputs` holds the newest few)."""

    components: dict[str, int] = field(default_factory=dict)  # most runs first, then by name
    endpoints: int = 0
    flagged: int = 0
    outputs: list[AffectedOutput] = field(default_factory=list)

    @property
    def runs(self) -> int:
        """How many runs are affected."""
        return sum(self.components.values())
