"""Plain dataclasses for the things mltrace records: no I/O, no SQLAlchemy."""

from mltrace.entities.component import Component
from mltrace.entities.component_run import ComponentRun, new_run_key
from mltrace.entities.io_pointer import IOPointer, PointerType

__all__ = ["Component", "ComponentRun", "IOPointer", "PointerType", "new_run_key"]
