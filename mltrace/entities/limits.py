"""What a stored value may hold, the same on SQLite and PostgreSQL: the one check of a text against it, and the one
way a pointer name that breaks it is made to fit."""

from __future__ import annotations

import hashlib
import math
import re
from typing import TYPE_CHECKING, Any

from mltrace.entities.io_pointer import PointerType
from mltrace.entities.times import utc

if TYPE_CHECKING:
    from mltrace.entities.component_run import ComponentRun

MAX_RUN_ID = 2**31 - 1  # run ids are 32-bit integers on every backend

MAX_NAME_CHARS = 255  # component names, owners and tags: VARCHAR(255) columns
# An output id in UTF-8: pointer names are unique-indexed, and a PostgreSQL B-tree entry holds at most 2,704
# bytes (a 20,000-character name made the whole batch fail there while SQLite stored it).
MAX_POINTER_NAME_BYTES = 2000
MAX_VALUE_HASH_CHARS = 128  # a pointer's version
MAX_DIGEST_CHARS = 64  # code hashes, git commits and run keys
MAX_JSON_DEPTH = 32  # nesting of params, metrics and test results; deeper values are cut (json.dumps recurses)
RUN_STATUSES = ("success", "failed", "cached", "running")  # cached: a step marked cache=True that returned an
# earlier result; running: an OpenLineage run that has started and not ended yet
MAX_SIZE = 2**63 - 1  # an artifact's size in bytes: a BIGINT


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


def run_problems(run: ComponentRun) -> list[str]:
    """Why the store cannot keep a captured run as it is (the limits above); empty when it can.

    Every store applies this check before storing anything, so a run is refused for the same reason on SQLite,
    on PostgreSQL and through a server. Params, metrics and test results are never refused: `strict_json`
    makes them storable.
    """
    found = [f"{what} {problem}" for what, problem in _text_problems(run) if problem]
    if run.status not in RUN_STATUSES:
        found.append(f"status must be one of {', '.join(RUN_STATUSES)}, not {run.status!r}")
    try:
        if run.end_timestamp is None or run.start_timestamp is None:
            found.append("start and end are required")
        elif utc(run.end_timestamp) < utc(run.start_timestamp):
            found.append("end is before start")
    except (ValueError, TypeError, AttributeError) as exc:
        found.append(f"start/end: {exc}")
    if not run.component_name:
        found.append("the component name is empty")
    for pointer in (*run.inputs, *run.outputs):
        if not pointer.name:
            found.append("an input or output has an empty name")
        if not isinstance(pointer.pointer_type, PointerType):
            found.append(f"the type of {pointer.name[:80]!r} is not a PointerType")
    if run.dependencies and not all(isinstance(i, int) and 0 < i <= MAX_RUN_ID for i in run.dependencies):
        found.append(f"upstream run ids are integers from 1 to {MAX_RUN_ID}")
    threshold = run.staleness_threshold_s
    if not (isinstance(threshold, (int, float)) and 0 <= threshold < math.inf):
        found.append("the staleness threshold must be a finite number of seconds")
    if run.artifacts or run.cache is not None or run.status == "cached":
        found += _artifact_problems(run)
    for what, values in (("param", run.params), ("metric", run.metrics)):
        long_keys = [k for k in values or {} if isinstance(k, str) and len(k) > MAX_NAME_CHARS]
        if long_keys:
            found.append(f"{what} key {long_keys[0][:80]!r} is longer than {MAX_NAME_CHARS} characters")
    if run.series:
        from mltrace.entities.series import series_problems

        found += series_problems(run.series)
    return found


def _artifact_problems(run: ComponentRun) -> list[str]:
    """Why the artifacts or the cache entry of a run cannot be stored."""
    from mltrace.entities.artifact import SERIALIZER_NAMES

    found = []
    outputs = {p.name for p in run.outputs}
    for ref in run.artifacts:
        if ref.name not in outputs:
            found.append(f"the artifact {ref.name[:80]!r} is not an output of the run")
        if not _is_digest(ref.digest):
            found.append(f"the artifact {ref.name[:80]!r} has no SHA-256 digest")
        if isinstance(ref.size, bool) or not isinstance(ref.size, int) or not 0 <= ref.size <= MAX_SIZE:
            found.append(f"the size of the artifact {ref.name[:80]!r} is not a number of bytes")
        if ref.serializer not in SERIALIZER_NAMES:
            found.append(f"the artifact {ref.name[:80]!r} has an unknown serializer {ref.serializer!r}")
    cache = run.cache
    if cache is not None:
        if not _is_digest(cache.key):
            found.append("the cache key is not a SHA-256 digest")
        if cache.result_digest is not None and not _is_digest(cache.result_digest):
            found.append("the cached result has no SHA-256 digest")
        if cache.result_serializer is not None and cache.result_serializer not in SERIALIZER_NAMES:
            found.append("the cached result's serializer is unknown")
        if cache.reused_run_key is not None and text_problem(cache.reused_run_key, MAX_DIGEST_CHARS) is not None:
            found.append("the key of the reused run is not a run key")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in cache.parts.items()):
            found.append("the parts of the cache key must map texts to hashes")
        elif any(text_problem(k) or text_problem(v, MAX_VALUE_HASH_CHARS) for k, v in cache.parts.items()):
            found.append("a part of the cache key cannot be stored")
    if run.status == "cached" and (cache is None or cache.reused_run_key is None):
        found.append("a cached run must name the run it reused")
    return found


_DIGEST = re.compile(r"[0-9a-f]{64}")


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def _is_utf8(text: str) -> bool:
    """Whether `text` holds no lone surrogate (plain ASCII, the common case, without encoding)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text_problems(run: ComponentRun) -> list[tuple[str, str | None]]:
    """(what, problem) for the texts of a run: the limits on length first, then, only when some text holds a NUL
    or a lone surrogate, each text on its own (a run costs about 1 µs when all are plain ASCII; with a code
    snapshot of 2 kB that is not, 5.4 µs instead of 8.0 when each text was encoded on its own)."""
    names = [p.name for p in (*run.inputs, *run.outputs)]
    found: list[tuple[str, str | None]] = []
    if len(run.component_name) > MAX_NAME_CHARS:
        found.append(("the component name", text_problem(run.component_name, MAX_NAME_CHARS)))
    if len(run.key) > MAX_DIGEST_CHARS:
        found.append(("the key", text_problem(run.key, MAX_DIGEST_CHARS)))
    found += [
        (f"input/output name {name[:80]!r}", text_problem(name, None, MAX_POINTER_NAME_BYTES))
        for name in names
        if len(name) > MAX_POINTER_NAME_BYTES // 4
    ]
    hashes = [p.value_hash for p in (*run.inputs, *run.outputs) if p.value_hash is not None]
    short = [
        ("a value hash", MAX_VALUE_HASH_CHARS, hashes),
        ("the code hash", MAX_DIGEST_CHARS, [run.code_hash] if run.code_hash is not None else []),
        ("the git commit", MAX_DIGEST_CHARS, [run.git_hash] if run.git_hash is not None else []),
        ("the component owner", MAX_NAME_CHARS, [run.component_owner] if run.component_owner else []),
        ("a git tag", MAX_NAME_CHARS, run.git_tags),
        ("a component tag", MAX_NAME_CHARS, run.component_tags),
    ]
    found += [(what, text_problem(t, limit)) for what, limit, texts in short for t in texts if len(t) > limit]
    free = [run.component_description, run.error, run.notes, run.code_snapshot]
    texts = [run.component_name, run.key, *names, *(t for t in free if t), *run.warnings]
    texts += [t for _what, _limit, ts in short for t in ts]
    everything = "\n".join(texts)
    if "\x00" not in everything and _is_utf8(everything):
        return found  # every limit left is one of characters, checked above
    found += [("the component name", text_problem(run.component_name)), ("the key", text_problem(run.key))]
    found += [(f"input/output name {name[:80]!r}", text_problem(name)) for name in names]
    found += [(what, text_problem(t)) for what, _limit, ts in short for t in ts]
    for what, value in zip(
        ("the component description", "the error", "the notes", "the code snapshot"), free, strict=True
    ):
        if value:
            found.append((what, text_problem(value)))
    found += [("a warning", text_problem(w)) for w in run.warnings]
    return found


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
