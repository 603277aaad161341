"""Makes free-form values (params, metrics, test results) storable as strict JSON."""

from __future__ import annotations

import math
from typing import Any

from mltrace.entities.limits import MAX_JSON_DEPTH, escape_unstorable

CUT_MARKER = f"<nested deeper than {MAX_JSON_DEPTH} levels: cut>"


def strict_json(value: Any, changes: list[str] | None = None) -> Any:
    """The value as JSON both databases store: NaN/±Infinity as the strings "NaN"/"Infinity"/"-Infinity",
    tuples and sets as lists, anything else JSON cannot hold as its `str`, NULs and lone surrogates in text
    as escapes (`limits.escape_unstorable`), and a dict or list nested deeper than MAX_JSON_DEPTH levels
    replaced by CUT_MARKER, so `json.dumps` never recurses without end (also on a value that holds itself).

    When `changes` is given, a line is appended to it for each value cut or text escaped, saying where.
    """
    if not value and isinstance(value, (dict, list)):
        return type(value)()
    if type(value) is dict and all(type(k) is str and k.isascii() and _plain(v) for k, v in value.items()):
        return dict(value)  # a flat dict of plain scalars (a call's arguments as params): nothing to convert
    return _convert(value, 0, (), changes)


def _plain(item: Any) -> bool:
    """Whether a value is JSON as it is: a bool, an int, a finite float, or ASCII text without NUL."""
    kind = type(item)
    if kind is int or kind is bool:
        return True
    if kind is float:
        return math.isfinite(item)
    return kind is str and item.isascii() and "\x00" not in item


def json_number(value: float) -> float | str:
    """A float as strict JSON carries it: NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity"."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _convert(item: Any, depth: int, path: tuple[Any, ...], changes: list[str] | None) -> Any:
    """`item`, found at `path` (a linked tuple: `(((), "a"), 0)` is /a/0) and `depth` levels down."""
    if isinstance(item, str):
        return _text(item, path, changes)
    if isinstance(item, float) and not math.isfinite(item):
        return json_number(item)
    if item is None or isinstance(item, (int, float, bool)):
        return item
    if isinstance(item, (dict, list, tuple, set, frozenset)):
        if depth >= MAX_JSON_DEPTH:
            if changes is not None:
                changes.append(f"{_path_text(path)}: {CUT_MARKER}")
            return CUT_MARKER
        if isinstance(item, dict):
            return {_text(str(k), path, changes): _convert(v, depth + 1, (path, k), changes) for k, v in item.items()}
        return [_convert(v, depth + 1, (path, i), changes) for i, v in enumerate(item)]
    scalar = getattr(item, "item", None)  # numpy scalars
    if callable(scalar):
        try:
            plain = scalar()
        except Exception:
            plain = item
        if plain is None or isinstance(plain, (str, int, float, bool)):
            return _convert(plain, depth, path, changes)
    try:
        return _text(str(item), path, changes)
    except Exception:  # a __str__ that fails must not cost the run
        return f"<{type(item).__name__}>"


def _text(text: str, path: tuple[Any, ...], changes: list[str] | None) -> str:
    escaped = escape_unstorable(text)
    if escaped is not text and changes is not None:
        changes.append(f"{_path_text(path)}: a NUL or lone surrogate written as an escape")
    return escaped


def _path_text(path: tuple[Any, ...]) -> str:
    """`/a/0/b` for the linked path `((((), "a"), 0), "b")`; a long one shortened to its first and last keys."""
    keys: list[str] = []
    while path:
        path, key = path
        keys.append(escape_unstorable(str(key)))
    shown = keys[::-1] if len(keys) <= 6 else [*keys[:-4:-1], "…", keys[0]]
    return "/" + "/".join(shown)
