"""What a stored value may hold, the same on SQLite and PostgreSQL: the one check of a text against it, and the one
way a pointer name that breaks it is made to fit."""

from __future__ import annotations

import hashlib
import re
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


_UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def fit_pointer_name(name: str) -> tuple[str, str | None]:
    """A storable pointer name for `name`, and why it had to change (None when `name` is storable as it is).

    The same name always gives the same result, so lineage through it stays exact: a NUL and lone surrogates
    become escapes (`os.fsdecode(b"bad-\\xff.csv")` becomes `bad-\\xff.csv`, a surrogate outside the range
    `os.fsdecode` uses becomes `\\udXXX`), and a name still longer than MAX_POINTER_NAME_BYTES keeps its
    beginning followed by `…sha256:` and the SHA-256 of the whole name, so long names that differ anywhere
    stay apart.
    """
    if name.isascii() and len(name) <= MAX_POINTER_NAME_BYTES and "\x00" not in name:  # most names, at once
        return name, None
    problem = text_problem(name, max_bytes=MAX_POINTER_NAME_BYTES)
    if problem is None:
        return name, None
    fitted = escape_unstorable(name)
    encoded = fitted.encode("utf-8")
    if len(encoded) > MAX_POINTER_NAME_BYTES:
        suffix = "…sha256:" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
        keep = MAX_POINTER_NAME_BYTES - len(suffix.encode("utf-8"))
        fitted = encoded[:keep].decode("utf-8", "ignore") + suffix
    return fitted, problem


def escape_unstorable(text: str) -> str:
    """`text` with each NUL and lone surrogate written as an escape (`\\x00`, `\\xff` for the undecodable byte
    0xFF of a file name, `\\udXXX` for another surrogate): text that both databases store."""
    if text.isascii() and "\x00" not in text:  # the usual case, ten times faster than the search
        return text
    return _UNSTORABLE_CHARACTERS.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
