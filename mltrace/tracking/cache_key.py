"""The key of a call of a step marked `cache=True`: its code, its arguments by content (files by their bytes) and its
declared params, each part hashed so that a dry run can say which one changed."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mltrace.artifacts.digests import copy_hashing
from mltrace.tracking.hashing import UnhashableValueError, content_hash
from mltrace.tracking.spec import CaptureSpec

KEY_VERSION = "1"  # changes when the way keys are computed does: earlier results then miss instead of lying
_LONGEST_PATH = 4096


@dataclass(frozen=True)
class CallKey:
    """A call's cache key and the parts it was made from (part → hash)."""

    key: str
    parts: dict[str, str]


class NotCacheableError(Exception):
    """A call whose key cannot be computed (its code unreadable, an argument without a content hash): it runs."""


def call_key(
    spec: CaptureSpec, code_hash: str | None, arguments: Mapping[str, Any], params: Mapping[str, Any] | None = None
) -> CallKey:
    """The key of a call with these bound arguments; NotCacheableError says why there is none."""
    if code_hash is None:
        raise NotCacheableError("its source code cannot be read, so a change to it would go unseen")
    parts: dict[str, str] = {"code": code_hash}
    for name, value in arguments.items():
        try:
            parts[f"argument {name}"] = content_hash(value)
        except UnhashableValueError as exc:
            raise NotCacheableError(f"the argument '{name}' has no content hash ({exc})") from None
        for path in _files_named(value):
            parts[f"file {path}"] = file_digest(path)
    for path in spec.inputs:
        parts[f"file {path}"] = file_digest(path) if os.path.isfile(path) else "missing"
    for name, value in {**spec.params, **(params or {})}.items():
        try:
            parts[f"param {name}"] = content_hash(value)
        except UnhashableValueError as exc:
            raise NotCacheableError(f"the param '{name}' has no content hash ({exc})") from None
    text = json.dumps({"v": KEY_VERSION, "component": spec.component, "parts": parts}, sort_keys=True)
    return CallKey(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), parts)


def changed_parts(before: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The parts of a key that differ between two calls, worded for a person (`the code`, `the argument 'x'`…)."""
    names = sorted(set(before) | set(now), key=_part_order)
    return [_describe(name) for name in names if before.get(name) != now.get(name)]


def file_digest(path: str) -> str:
    """The SHA-256 of a file's bytes, read a chunk at a time."""
    with open(path, "rb") as handle:
        return copy_hashing(handle, None).hexdigest()


def _files_named(value: Any) -> list[str]:
    """The existing files an argument names: a path, or a list or tuple of paths."""
    candidates = value if isinstance(value, (list, tuple)) else [value]
    found = []
    for item in candidates:
        if isinstance(item, (str, os.PathLike)):
            try:
                path = os.fspath(item)
            except Exception:  # a PathLike of the user's that fails
                continue
            if isinstance(path, str) and 0 < len(path) < _LONGEST_PATH and "\x00" not in path and os.path.isfile(path):
                found.append(path)
    return found


def _part_order(name: str) -> tuple[int, str]:
    kind = name.split(" ", 1)[0]
    return ({"code": 0, "argument": 1, "file": 2, "param": 3}.get(kind, 4), name)


def _describe(name: str) -> str:
    kind, _, what = name.partition(" ")
    if kind == "code":
        return "the code"
    if kind == "file":
        return f"the content of the file '{what}'"
    return f"the {kind} '{what}'"
