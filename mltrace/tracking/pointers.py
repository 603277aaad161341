"""Turns captured values (paths, ids, lists, objects) into pointer records."""

from __future__ import annotations

import os
from typing import Any

from mltrace.entities import PointerRecord, PointerType
from mltrace.tracking.hashing import content_hash, file_fingerprint

_LARGE_OBJECT_MODULES = ("pandas", "numpy", "pyarrow", "polars", "torch", "sklearn", "scipy")


def pointers_from_value(value: Any, endpoint: bool = False) -> list[PointerRecord]:
    """Pointers named by a value: a str/path names a pointer (a file gets a fingerprint),
    a list gives one pointer per element, any other object is named by its content hash."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [p for item in value for p in pointers_from_value(item, endpoint)]
    ptype = PointerType.ENDPOINT.value if endpoint else None
    if isinstance(value, (str, os.PathLike)):
        name = os.fspath(value)
        return [PointerRecord(name=str(name), value_hash=file_fingerprint(name), type=ptype)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [PointerRecord(name=str(value), type=ptype)]
    digest = content_hash(value)
    return [PointerRecord(name=f"{type(value).__name__}-{digest}", value_hash=digest, type=ptype)]


def pointer_with_value(name: Any, value: Any, endpoint: bool = False) -> PointerRecord:
    """A pointer called `name` whose version is the content hash of `value` (input_kwargs/output_kwargs)."""
    return PointerRecord(
        name=str(name),
        value_hash=None if value is None else content_hash(value),
        type=PointerType.ENDPOINT.value if endpoint else None,
    )


def looks_loggable(value: Any) -> bool:
    """auto_log's filter: file-like paths and large data objects."""
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        return isinstance(text, str) and 0 < len(text) < 1024 and "\n" not in text and bool(os.path.splitext(text)[1])
    return type(value).__module__.split(".")[0] in _LARGE_OBJECT_MODULES
