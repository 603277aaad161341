"""The command bar's search, and the trigram index that lets PostgreSQL find output ids by any fragment.

Output ids that start with the text come from the unique index on names, kept in byte order (`COLLATE "C"` on
PostgreSQL, as SQLite compares), so the first `limit` of them are the first `limit` entries of the index. On
PostgreSQL with the pg_trgm extension, when none starts with it, ids containing the text come from a GIN index of
their trigrams (1,000,000 ids: milliseconds, where reading every name took 150 ms). That index costs ingest about
3 µs per new id (1,000,000 names inserted in 6.0 s with it, 2.9 s without). SQLite has none: an FTS5 trigram
table made storing an id ten times slower (1,000,000 in 14 s instead of 1.4 s). Components and tags, small
tables, match anywhere.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from mltrace.db.postgres import Prepared, trigram_scan_prefix
from mltrace.entities.component_run import MAX_RUN_ID

log = logging.getLogger(__name__)

INDEX = "ix_io_pointers_name_trigrams"
INDEXED = "lower(name)"
"""What the trigram index holds: not `name` itself, or PostgreSQL would look names up by equality through it
(pg_trgm serves `=` too), which it chose over the unique index on a table it had not analyzed: each lookup of a
batch's 5,000 names then took 20 to 30 s instead of a few ms. So fragments match ASCII letters in any case."""
_SHORTEST_FRAGMENT = 3  # a trigram index finds nothing shorter
_HAS_INDEX = "mltrace_trigram_index"
_KINDS = ("run", "component", "tag", "output")

# The run with that id, components and tags containing the text, and output ids starting with it: one round trip.
_FIRST = """
SELECT 'run', CAST(id AS TEXT), component_name FROM component_runs WHERE id = :run_id
UNION ALL
SELECT * FROM (
    SELECT 'component', name, name FROM components WHERE lower(name) LIKE lower(:pattern) ESCAPE '\\'
    ORDER BY length(name), name LIMIT :limit
) AS found_components
UNION ALL
SELECT * FROM (
    SELECT 'tag', tag, tag FROM component_tags WHERE lower(tag) LIKE lower(:pattern) ESCAPE '\\'
    GROUP BY tag ORDER BY tag LIMIT :limit
) AS found_tags
UNION ALL
SELECT * FROM (
    SELECT 'output', name, name FROM io_pointers WHERE name >= :low {below} ORDER BY name LIMIT :limit
) AS found_outputs
"""
_FIRST_BELOW = Prepared("search", text(_FIRST.format(below="AND name < :high")))
_FIRST_ONWARD = Prepared("search_onward", text(_FIRST.format(below="")))  # every text after `low` starts with it
_CONTAINING = f"SELECT name FROM io_pointers WHERE {INDEXED} LIKE lower(:pattern) ESCAPE '\\' LIMIT :limit"
_OUTPUTS_CONTAINING = Prepared("search_containing", text(_CONTAINING), prefix=trigram_scan_prefix())


def search(conn: Connection, q: str, limit: int) -> list[dict[str, str]]:
    """Completion candidates for `q`, at most `limit`: the run with that id, components and tags containing it
    (any case), output ids starting with it (case counts) in code point order; or, when none does and the store
    has the trigram index, output ids containing it (ASCII letters in any case), shortest first.

    Each is read through an index, so the cost follows `limit`, not the number of ids stored (which ids come,
    when more than `limit` contain `q`, is not defined: typing more narrows them). Someone typing the start of
    an id gets ids that start so, and no fragment search: over 1,000,000 ids, the trigrams of a whole id (its
    common "pred/" among them) took 30 to 40 ms to look up."""
    pattern = f"%{_escape_like(q)}%"
    high = _after_prefix(q)
    params: dict[str, Any] = {
        "run_id": int(q) if q.isdigit() and int(q) <= MAX_RUN_ID else None,
        "pattern": pattern,
        "limit": limit,
        "low": q,
    }
    statement = _FIRST_ONWARD if high is None else _FIRST_BELOW
    found: dict[str, list[tuple[str, str]]] = {kind: [] for kind in _KINDS}
    for kind, value, label in statement.rows(conn, {**params, "high": high}):
        found[kind].append((value, label))
    found["component"].sort(key=lambda c: (len(c[0]), c[0]))
    found["tag"].sort()
    found["output"].sort()
    room = limit - sum(map(len, found.values()))
    if room > 0 and not found["output"] and len(q) >= _SHORTEST_FRAGMENT and _has_index(conn):
        more = [name for (name,) in _OUTPUTS_CONTAINING.rows(conn, {"pattern": pattern, "limit": room})]
        found["output"] = sorted(((n, n) for n in more), key=lambda o: (len(o[0]), o[0]))
    results = []
    for kind in _KINDS:
        for value, label in found[kind]:
            results.append(
                {"kind": kind, "value": value, "label": f"run {value} ({label})" if kind == "run" else label}
            )
    return results[:limit]


def create_index(conn: Connection) -> bool:
    """Creates the trigram index of output ids (PostgreSQL), installing pg_trgm first when it is available and
    the user may; returns whether the index exists. Otherwise logs what a database owner can run instead."""
    schema = _extension_schema(conn)
    if schema is None:
        try:
            with conn.begin_nested():  # a savepoint: a refusal leaves the migration's transaction usable
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        except DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0]
            log.warning(
                "mltrace: search finds output ids by their start only: PostgreSQL could not install pg_trgm (%s). "
                "To find them by any fragment, have a database owner run: CREATE EXTENSION pg_trgm; "
                "CREATE INDEX %s ON %s.io_pointers USING gin (%s gin_trgm_ops);",
                reason,
                INDEX,
                conn.execute(text("SELECT current_schema()")).scalar(),
                INDEXED,
            )
            return False
        schema = _extension_schema(conn)
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {INDEX} ON io_pointers USING gin ({INDEXED} {schema}.gin_trgm_ops)"))
    return True


def _has_index(conn: Connection) -> bool:
    """Whether the store has the trigram index (asked once per pooled connection; never on SQLite)."""
    if conn.dialect.name != "postgresql":
        return False
    info = conn.connection.info
    if _HAS_INDEX not in info:
        found = conn.execute(
            text("SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = :index"),
            {"index": INDEX},
        ).first()
        info[_HAS_INDEX] = found is not None
    return bool(info[_HAS_INDEX])


def _extension_schema(conn: Connection) -> str | None:
    """The schema pg_trgm is installed in, quoted for SQL; None when it is not installed in this database."""
    return conn.execute(
        text(
            "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()


def _after_prefix(q: str) -> str | None:
    """The least text greater than every text that starts with `q`, in code point order (`q` with its last
    character made the next one); None when there is none (`q` is empty, or only the last code point)."""
    while q:
        code = ord(q[-1]) + 1
        if code <= sys.maxunicode:
            return q[:-1] + chr(0xE000 if 0xD800 <= code <= 0xDFFF else code)  # no surrogates in UTF-8
        q = q[:-1]
    return None


def _escape_like(q: str) -> str:
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
