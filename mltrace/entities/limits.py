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
    if problem := _surrogate_problem(text):
        return problem
    if max_chars is not None and len(text) > max_chars:
        return f"is {len(text)} characters long; at most {max_chars} are kept"
    if max_bytes is not None and (size := len(text.encode("utf-8"))) > max_bytes:
        return f"is {size} bytes long in UTF-8; at most {max_bytes} are kept"
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


def json_problem(value: Any, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a JSON value (a param, a metric, a test result's field) cannot be stored: nested deeper than `max_depth`,
    or a key or text holding a lone surrogate; None when it can. NUL is fine here: JSON text escapes it."""
    waiting = [(value, 0)]
    while waiting:
        item, depth = waiting.pop()
        if isinstance(item, (dict, list, tuple)):
            if depth >= max_depth:
                return f"is nested more than {max_depth} levels deep"
            if isinstance(item, dict):
                for key in item:
                    if isinstance(key, str) and (problem := _surrogate_problem(key)):
                        return f"has a key that {problem}"
                waiting.extend((child, depth + 1) for child in item.values())
            else:
                waiting.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and (problem := _surrogate_problem(item)):
            return problem
    return None


def cut_code(source: str, max_bytes: int) -> str:
    """`source` as stored: when longer than `max_bytes` in UTF-8, cut there (at a character) and marked."""
    encoded = source.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return source
    return encoded[:max_bytes].decode("utf-8", "ignore") + f"\n# … cut at {max_bytes} bytes by mltrace"


def _surrogate_problem(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"contains a lone surrogate (U+{ord(text[exc.start]):04X}) at position {exc.start}, which is not UTF-8"
    return None
