"""Plain dataclasses for the things mltrace records: no I/O, no SQLAlchemy."""

from mltrace.entities.component import Component
from mltrace.entities.component_run import ComponentRun
from mltrace.entities.io_pointer import IOPointer, PointerType
from mltrace.entities.run_key import new_run_key

__all__ = ["Component", "ComponentRun", "IOPointer", "PointerType", "new_run_key"]
