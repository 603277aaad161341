"""The Component entity: a named pipeline step with its owner, description and tags."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Component:
    """A pipeline step; metadata given later updates it."""

    name: str
    description: str = ""
    owner: str = ""
    tags: list[str] = field(default_factory=list)

    def to_dictionary(self) -> dict:
        """The component as a plain dict (original API)."""
        return {"name": self.name, "description": self.description, "owner": self.owner, "tags": list(self.tags)}
