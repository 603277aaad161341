"""What a stored value may hold, the same on SQLite and PostgreSQL, and the one check of a value against it."""

from __future__ import annotations

from typing import Any

MAX_NAME_CHARS = 255  # component names, owners and tags: VARCHAR(255) columns
# An output id in UTF-8: pointer names are unique-indexed, and a PostgreSQL B-tree entry holds at most 2,704
# bytes (a 20,000-character name made the whole batch fail there while SQLite stored it).
MAX_POINTER_NAME_BYTES = 2000
MAX_VALUE_HASH_CHARS = 128  # a pointer's version
MAX_DIGEST_CHARS = 64  # code hashes, git commits and run keys
MAX_JSON_DEPTH = 32  # nesting of params, metrics and test results; deeper values are cut (json.dumps recurses)


def text_problem(text: str, max_chars: int | None = None, max_bytes: int | None = None) -> str | None:
    """Why `text` cannot be stored as it is (a NUL, a lone surrogate, too long), or None when it can."""
    if "\x00" in text:
        return "contains a NUL character"
    if text.isascii():  # the common case, without encoding
        size = len(text)
    else:
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            where = f"(U+{ord(text[exc.start]):04X}) at position {exc.start}"
            return f"contains a lone surrogate {where}, which is not UTF-8"
    if max_chars is not None and len(text) > max_chars:
        return f"is {len(text)} characters long; at most {max_chars} are kept"
    if max_bytes is not None and size > max_bytes:
        return f"is {size} bytes long in UTF-8; at most {max_bytes} are kept"
    return None


def json_problem(value: Any) -> str | None:
    """Why a free-form JSON value (params, metrics, test results) cannot be stored: nested deeper than
    MAX_JSON_DEPTH, or a key or string with a problem of `text_problem`; None when it can."""
    waiting = [(value, 1)]
    while waiting:
        item, depth = waiting.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return f"a string {problem}"
        elif isinstance(item, (dict, list, tuple)):
            if depth > MAX_JSON_DEPTH:
                return f"nests deeper than {MAX_JSON_DEPTH} levels"
            if isinstance(item, dict):
                waiting.extend((str(k), depth) for k in item)
                waiting.extend((v, depth + 1) for v in item.values())
            else:
                waiting.extend((v, depth + 1) for v in item)
    return None


def json_depth(value: Any) -> int:
    """How deeply dicts and lists nest in `value` (a scalar is 0), without recursion."""
    deepest = 0
    waiting = [(value, 0)]
    while waiting:
        item, depth = waiting.pop()
        if isinstance(item, dict):
            waiting.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, (list, tuple)):
            waiting.extend((v, depth + 1) for v in item)
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
    return deepest
