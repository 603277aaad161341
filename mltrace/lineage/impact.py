"""The rules of an impact query: what its selector names, and the order of its summary."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mltrace.entities.component_run import MAX_RUN_ID
from mltrace.errors import InvalidInputError

RUN_PREFIX = "run:"
RUN_SELECTOR = re.compile(r"run:([0-9]{1,10})")


@dataclass(frozen=True)
class Selector:
    """Where an impact starts: every run that read an output (`output_id`), or one run and what followed it."""

    output_id: str | None = None
    run_id: int | None = None

    @property
    def possible(self) -> bool:
        """False for a run id no stored run can have (0, past the largest id): it is not found."""
        return self.run_id is None or 0 < self.run_id <= MAX_RUN_ID


def parse_selector(text: str) -> Selector:
    """`run:N` names run N; any other non-empty text an output id. InvalidInputError for an empty text and for
    `run:` followed by anything but up to 10 digits."""
    if not isinstance(text, str) or not text:
        raise InvalidInputError("an impact needs an output id or run:N")
    if not text.startswith(RUN_PREFIX):
        return Selector(output_id=text)
    match = RUN_SELECTOR.fullmatch(text)
    if match is None:
        raise InvalidInputError(f"{text!r} is not run:N with N a run id")
    return Selector(run_id=int(match.group(1)))


def ranked_components(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Runs per component, the components with most runs first, then by name."""
    return dict(sorted(counts, key=lambda item: (-item[1], item[0])))
