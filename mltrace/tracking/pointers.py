"""Turns captured values (paths, ids, lists, objects) into pointer records; a value that cannot be
versioned or named is noted, never allowed to cost the run."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from mltrace.entities import IOPointer, PointerType
from mltrace.entities.limits import fit_pointer_name
from mltrace.tracking.hashing import UnhashableValueError, content_hash, file_fingerprint

Note = Callable[[str], None]

_LARGE_OBJECT_MODULES = ("pandas", "numpy", "pyarrow", "polars", "torch", "sklearn", "scipy")
_MAX_LIST_NESTING = 8  # lists of lists of names; a list nested deeper is one object, named by its hash


def pointers_from_value(value: Any, endpoint: bool, label: str, note: Note) -> list[IOPointer]:
    """Pointers named by a value: a str/path names a pointer (a file gets a fingerprint), a list gives
    one pointer per element, any other object is named by its content hash (or, when it has no content
    encoding, by its type alone, without a version). `label` says where the value came from, for notes."""
    found: list[IOPointer] = []
    _collect(value, endpoint, label, note, found, 0)
    return found


def _collect(value: Any, endpoint: bool, label: str, note: Note, found: list[IOPointer], nesting: int) -> None:
    if value is None:
        return
    if isinstance(value, (list, tuple, set, frozenset)) and nesting < _MAX_LIST_NESTING:
        for item in value:
            _collect(item, endpoint, label, note, found, nesting + 1)
        return
    kind = PointerType.ENDPOINT if endpoint else PointerType.UNKNOWN
    try:
        if isinstance(value, (str, os.PathLike)):
            name = os.fsdecode(value)
            found.append(IOPointer(name, kind, file_fingerprint(name)))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found.append(IOPointer(str(value), kind))
        else:
            digest = _version(value, label, note)
            name = type(value).__name__
            found.append(IOPointer(f"{name}-{digest}" if digest else name, kind, digest))
    except Exception as exc:  # a PathLike or __str__ of the user's that fails
        note(f"{label}: a {type(value).__name__} could not be named ({type(exc).__name__}: {exc}); it is not recorded.")


def pointer_with_value(name: Any, value: Any, endpoint: bool, label: str, note: Note) -> IOPointer | None:
    """A pointer called `name` whose version is the content hash of `value` (input_kwargs/output_kwargs);
    None when `name` cannot be turned into text."""
    try:
        text = os.fsdecode(name) if isinstance(name, (str, bytes, os.PathLike)) else str(name)
    except Exception as exc:
        note(f"{label}: a {type(name).__name__} could not be named ({type(exc).__name__}: {exc}); it is not recorded.")
        return None
    return IOPointer(
        text,
        PointerType.ENDPOINT if endpoint else PointerType.UNKNOWN,
        None if value is None else _version(value, label, note),
    )


def fit_names(pointers: list[IOPointer], note: Note) -> list[IOPointer]:
    """The pointers with every name the store cannot keep made storable (`limits.fit_pointer_name`), noted."""
    for pointer in pointers:
        fitted, problem = fit_pointer_name(pointer.name)
        if problem is not None:
            shown = pointer.name if len(pointer.name) <= 80 else pointer.name[:80] + "…"
            note(f"The name {shown!r} {problem}; it is stored as {_short(fitted)!r}.")
            pointer.name = fitted
    return pointers


def looks_loggable(value: Any) -> bool:
    """auto_log's filter: file-like paths and large data objects."""
    if isinstance(value, (str, os.PathLike)):
        try:
            text = os.fspath(value)
        except Exception:  # a PathLike of the user's that fails
            return False
        return isinstance(text, str) and 0 < len(text) < 1024 and "\n" not in text and bool(os.path.splitext(text)[1])
    return type(value).__module__.split(".")[0] in _LARGE_OBJECT_MODULES


def _version(value: Any, label: str, note: Note) -> str | None:
    try:
        return content_hash(value)
    except UnhashableValueError as exc:
        note(f"{label}: a {type(value).__name__} is recorded without a version: {exc}.")
        return None


def _short(text: str) -> str:
    return text if len(text) <= 80 else f"{text[:40]}…{text[-40:]}"
