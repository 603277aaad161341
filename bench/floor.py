"""The floor: each figure's work done the plainest fast way, on minimal tables with the raw driver.

`make bench` times mltrace against it, on the same data, in the same run, so that its figures read as ratios
that the noise of a shared machine cancels out of. The floor answers the same questions as mltrace, with the
same content (a listed run with its first 10 inputs and outputs and their flags, an inspected run whole, a trace
as the SPEC's nodes and edges), but with none of mltrace's layers: psycopg2 or sqlite3 and one statement per
question, batches stored by COPY (PostgreSQL) or `executemany` (SQLite), one recursive CTE per trace. It keeps
the indexes its own queries need and nothing else; it resolves dependencies by the SPEC's rule but assumes runs
arrive in order (no re-resolution of stored readers) and computes no staleness. The package never imports it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

import psycopg2

from mltrace.entities import ComponentRun

BATCH = 5000  # runs per stored batch: mltrace's default MLTRACE_BATCH_SIZE
PREVIEW = 10
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

_POSTGRES_SCHEMA = """
CREATE SEQUENCE run_ids;
CREATE SEQUENCE pointer_ids;
CREATE TABLE runs (
    id integer PRIMARY KEY, key text NOT NULL UNIQUE, component text NOT NULL,
    start_ts timestamptz NOT NULL, end_ts timestamptz NOT NULL, status text NOT NULL,
    n_in integer NOT NULL, n_out integer NOT NULL, code text, facts text NOT NULL, stale text);
CREATE INDEX runs_start ON runs (start_ts, id);
CREATE INDEX runs_component ON runs (component, start_ts, id);
CREATE TABLE pointers (
    id integer PRIMARY KEY, name text COLLATE "C" NOT NULL UNIQUE, type text NOT NULL,
    flag boolean NOT NULL DEFAULT false, reason text, flagged_at timestamptz);
CREATE INDEX pointers_flagged ON pointers (flagged_at) WHERE flag;
CREATE TABLE inputs (
    run_id integer NOT NULL, pointer_id integer NOT NULL, value_hash text, start_ts timestamptz NOT NULL,
    PRIMARY KEY (run_id, pointer_id));
CREATE INDEX inputs_pointer ON inputs (pointer_id);
CREATE TABLE outputs (
    run_id integer NOT NULL, pointer_id integer NOT NULL, value_hash text, end_ts timestamptz NOT NULL,
    PRIMARY KEY (run_id, pointer_id));
CREATE INDEX outputs_pointer ON outputs (pointer_id, end_ts, run_id);
CREATE TABLE deps (run_id integer NOT NULL, upstream_id integer NOT NULL, pointer_id integer);
CREATE INDEX deps_run ON deps (run_id);
CREATE INDEX deps_upstream ON deps (upstream_id);
CREATE TABLE components (name text PRIMARY KEY);
CREATE TABLE tags (component text NOT NULL, tag text NOT NULL, PRIMARY KEY (component, tag));
"""
# on lower(name), or PostgreSQL looks names up by equality through it (see mltrace/db/search.py)
_POSTGRES_TRIGRAMS = "CREATE INDEX pointers_trigrams ON pointers USING gin (lower(name) {schema}.gin_trgm_ops)"
_SQLITE_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, component TEXT NOT NULL,
    start_ts TEXT NOT NULL, end_ts TEXT NOT NULL, status TEXT NOT NULL,
    n_in INTEGER NOT NULL, n_out INTEGER NOT NULL, code TEXT, facts TEXT NOT NULL, stale TEXT);
CREATE INDEX runs_start ON runs (start_ts, id);
CREATE INDEX runs_component ON runs (component, start_ts, id);
CREATE TABLE pointers (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    flag INTEGER NOT NULL DEFAULT 0, reason TEXT, flagged_at TEXT);
CREATE INDEX pointers_flagged ON pointers (flagged_at) WHERE flag = 1;
CREATE TABLE inputs (
    run_id INTEGER NOT NULL, pointer_id INTEGER NOT NULL, value_hash TEXT, start_ts TEXT NOT NULL,
    PRIMARY KEY (run_id, pointer_id)) WITHOUT ROWID;
CREATE INDEX inputs_pointer ON inputs (pointer_id);
CREATE TABLE outputs (
    run_id INTEGER NOT NULL, pointer_id INTEGER NOT NULL, value_hash TEXT, end_ts TEXT NOT NULL,
    PRIMARY KEY (run_id, pointer_id)) WITHOUT ROWID;
CREATE INDEX outputs_pointer ON outputs (pointer_id, end_ts, run_id);
CREATE TABLE deps (run_id INTEGER NOT NULL, upstream_id INTEGER NOT NULL, pointer_id INTEGER);
CREATE INDEX deps_run ON deps (run_id);
CREATE INDEX deps_upstream ON deps (upstream_id);
CREATE TABLE components (name TEXT PRIMARY KEY);
CREATE TABLE tags (component TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (component, tag));
"""

# For each input of the runs with ids in [lo, hi]: the latest run that wrote that version before the reader
# started (ties: the higher id).
_RESOLVE = """
INSERT INTO deps (run_id, upstream_id, pointer_id)
SELECT run_id, upstream_id, pointer_id FROM (
    SELECT i.run_id, i.pointer_id,
           (SELECT o.run_id FROM outputs o
            WHERE o.pointer_id = i.pointer_id AND o.end_ts <= i.start_ts AND o.run_id <> i.run_id
              AND (i.value_hash IS NULL OR o.value_hash = i.value_hash)
            ORDER BY o.end_ts DESC, o.run_id DESC LIMIT 1) AS upstream_id
    FROM inputs i WHERE i.run_id BETWEEN {lo} AND {hi}
) resolved WHERE upstream_id IS NOT NULL
"""


def _pointer_rows(alias: str, table: str, limit: str) -> str:
    """A run's inputs or outputs (all, or the first by pointer id) as a JSON array of pointer facts."""
    return f"""(SELECT {{agg}}({{arr}}(p.name, p.type, x.value_hash, p.flag, p.reason, p.flagged_at))
     FROM (SELECT pointer_id, value_hash FROM {table} WHERE run_id = {alias}.id ORDER BY pointer_id {limit}) x
     JOIN pointers p ON p.id = x.pointer_id)"""


def _listing(where: str, limit: str, whole: bool) -> str:
    cut = "" if whole else f"LIMIT {PREVIEW}"
    code = ", r.code" if whole else ""
    return f"""
SELECT r.id, r.component, r.start_ts, r.end_ts, r.status, r.n_in, r.n_out, r.facts, r.stale,
       {_pointer_rows("r", "inputs", cut)}, {_pointer_rows("r", "outputs", cut)},
       (SELECT {{agg}}(upstream_id) FROM deps WHERE run_id = r.id){code}
FROM runs r {where} ORDER BY r.start_ts DESC, r.id DESC {limit}"""


# Upstream from the latest writer of a pointer, one row per step of the walk and one per input of each run it
# reached: a step (the last column set) says that a run wrote an input of the trace's run `via`; an input row
# says what a run read (a run that read nothing comes once, with NULL pointer columns).
_TRACE = """
WITH RECURSIVE root AS (
    SELECT p.id, p.name, p.type, p.flag, (SELECT o.run_id FROM outputs o WHERE o.pointer_id = p.id
                                           ORDER BY o.end_ts DESC, o.run_id DESC LIMIT 1) AS writer
    FROM pointers p WHERE p.name = {name}
),
walk(via, run_id, pointer_id) AS (
    SELECT CAST(NULL AS INTEGER), writer, CAST(NULL AS INTEGER) FROM root WHERE writer IS NOT NULL
    UNION
    SELECT d.run_id, d.upstream_id, d.pointer_id FROM walk JOIN deps d ON d.run_id = walk.run_id
)
SELECT root.writer, root.name, root.type, root.flag,
       r.id, r.component, r.start_ts, r.end_ts, r.status, r.stale, p.name, p.type, p.flag, NULL
FROM root LEFT JOIN (
    (SELECT DISTINCT run_id FROM walk) reached JOIN runs r ON r.id = reached.run_id
    LEFT JOIN inputs i ON i.run_id = r.id LEFT JOIN pointers p ON p.id = i.pointer_id
) ON true
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, p.name, NULL, NULL, walk.run_id
FROM walk JOIN pointers p ON p.id = walk.pointer_id
"""

# Review: for each run upstream of a flagged output, how many flagged outputs it is upstream of (f), how many
# unflagged outputs of the components that wrote flagged ones are downstream of it (p), and its start. Reached
# from the flagged pointers by key only ({outputs}: a lookup the planner cannot turn into a join), so that the
# floor too keeps its plan on tables never analyzed.
_REVIEW = """
WITH RECURSIVE
flagged AS {materialized} (SELECT id FROM pointers WHERE flag = {true}),
origin AS {materialized} (
    SELECT f.id AS pointer_id, (SELECT o.run_id FROM outputs o WHERE o.pointer_id = f.id
                                ORDER BY o.end_ts DESC, o.run_id DESC LIMIT 1) AS run_id
    FROM flagged f
),
up(pointer_id, run_id) AS (
    SELECT pointer_id, run_id FROM origin WHERE run_id IS NOT NULL
    UNION
    SELECT up.pointer_id, d.upstream_id FROM up JOIN deps d ON d.run_id = up.run_id
),
suspects AS {materialized} (SELECT run_id, count(*) AS f FROM up GROUP BY run_id),
culprits AS {materialized} (SELECT DISTINCT (SELECT r.component FROM runs r WHERE r.id = origin.run_id) AS component
                            FROM origin),
down(suspect, run_id) AS (
    SELECT run_id, run_id FROM suspects
    UNION
    SELECT down.suspect, d.run_id FROM down JOIN deps d ON d.upstream_id = down.run_id
),
evidence AS {materialized} (
    SELECT suspect, run_id FROM down
    WHERE (SELECT r.component FROM runs r WHERE r.id = down.run_id) IN (SELECT component FROM culprits)
),
passing AS (
    SELECT e.suspect, count(DISTINCT o.pointer_id) AS p FROM evidence e {outputs}
    WHERE o.pointer_id NOT IN (SELECT id FROM flagged)
    GROUP BY e.suspect
)
SELECT s.run_id, s.f, coalesce(passing.p, 0), (SELECT r.start_ts FROM runs r WHERE r.id = s.run_id)
FROM suspects s LEFT JOIN passing ON passing.suspect = s.run_id
"""
_REVIEW_JOINS = {
    "postgresql": {
        "materialized": "MATERIALIZED",
        "outputs": "CROSS JOIN LATERAL (SELECT pointer_id FROM outputs o WHERE o.run_id = e.run_id OFFSET 0) o",
    },
    "sqlite": {"materialized": "", "outputs": "CROSS JOIN outputs o ON o.run_id = e.run_id"},
}
# Search: the run with that id, components and tags containing the text, output ids starting with it.
_SEARCH = """
SELECT 'run', CAST(id AS TEXT), component FROM runs WHERE id = {p}
UNION ALL
SELECT * FROM (SELECT 'component', name, name FROM components WHERE lower(name) LIKE lower({p}) ESCAPE '\\'
               ORDER BY length(name), name LIMIT {p}) c
UNION ALL
SELECT * FROM (SELECT 'tag', tag, tag FROM tags WHERE lower(tag) LIKE lower({p}) ESCAPE '\\'
               GROUP BY tag ORDER BY tag LIMIT {p}) t
UNION ALL
SELECT * FROM (SELECT 'output', name, name FROM pointers WHERE name >= {p} AND name < {p} ORDER BY name LIMIT {p}) o
"""
_FLAGGED = "SELECT name FROM pointers WHERE flag = {true} ORDER BY flagged_at DESC, name"


class Floor:
    """The floor's store: shared query logic; the driver-specific parts are in the two subclasses."""

    dialect = ""
    agg, arr, true = "json_agg", "json_build_array", "true"

    def __init__(self) -> None:
        self.conn: Any = None

    # --- loading ---------------------------------------------------------------
    def load(self, records: Sequence[ComponentRun]) -> None:
        """Stores `records` in batches of BATCH runs, one transaction each, dependencies resolved."""
        for start in range(0, len(records), BATCH):
            self._store_batch(records[start : start + BATCH])

    def _store_batch(self, records: Sequence[ComponentRun]) -> None:
        raise NotImplementedError

    def analyze(self) -> None:
        raise NotImplementedError

    # --- queries ---------------------------------------------------------------
    def _sql(self, template: str) -> str:
        return template.replace("{agg}", self.agg).replace("{arr}", self.arr).replace("{true}", self.true)

    def recent(self, limit: int) -> list[tuple[Any, ...]]:
        """The newest runs, each with its first inputs and outputs."""
        return self._runs(self._listing_recent, (limit,))

    def history(self, component: str, limit: int) -> list[tuple[Any, ...]]:
        """A component's newest runs, listed as `recent` lists them."""
        return self._runs(self._listing_history, (component, limit))

    def inspect(self, run_id: int) -> tuple[Any, ...]:
        """One run with its code and every input and output."""
        (run,) = self._runs(self._whole, (run_id,))
        return run

    def _runs(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        cur.execute(sql, params)
        return [self._run(row) for row in cur.fetchall()]

    def _run(self, row: Sequence[Any]) -> tuple[Any, ...]:
        raise NotImplementedError

    def trace(self, name: str) -> dict[str, Any]:
        """The upstream trace of `name` as SPEC §9 nodes and edges."""
        cur = self.conn.cursor()
        cur.execute(self._trace, (name,))
        rows = cur.fetchall()
        if not rows:
            raise KeyError(name)
        writer, root_name, root_type, root_flag = rows[0][:4]
        root = f"pointer:{root_name}"
        nodes: dict[str, dict[str, Any]] = {
            root: {"id": root, "kind": "pointer", "name": root_name, "type": root_type, "flagged": bool(root_flag)}
        }
        edges: dict[tuple[str, str], None] = {}
        if writer is not None:
            edges[f"run:{writer}", root] = None
        for *_, run_id, component, start, end, status, stale, pname, ptype, pflag, writer_of in rows:
            if writer_of is not None:  # a step of the walk: that run wrote this input of another
                edges[f"run:{writer_of}", f"pointer:{pname}"] = None
                continue
            if run_id is None:
                continue
            run = f"run:{run_id}"
            if run not in nodes:
                nodes[run] = {
                    "id": run,
                    "kind": "run",
                    "run_id": run_id,
                    "component": component,
                    "start": self._time(start),
                    "end": self._time(end),
                    "status": status,
                    "stale": json.loads(stale) if stale else [],
                }
            if pname is None:
                continue
            pointer = f"pointer:{pname}"
            if pointer not in nodes:
                nodes[pointer] = {
                    "id": pointer,
                    "kind": "pointer",
                    "name": pname,
                    "type": ptype,
                    "flagged": bool(pflag),
                }
            edges[pointer, run] = None
        return {
            "root": root,
            "direction": "upstream",
            "nodes": list(nodes.values()),
            "edges": [{"source": s, "target": t} for s, t in edges],
        }

    def review(self, limit: int = 20) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The flagged outputs, and the runs behind them by Ochiai score (ties: later start, higher id), listed."""
        cur = self.conn.cursor()
        cur.execute(self._sql(_FLAGGED))
        flagged = [name for (name,) in cur.fetchall()]
        cur.execute(self._sql(_REVIEW).format(**_REVIEW_JOINS[self.dialect]))
        total = len(flagged)
        scored = []
        for run_id, f, p, start in cur.fetchall():
            score = f / (total * (f + p)) ** 0.5
            scored.append((-round(score, 12), self._time(start), run_id, f, score))
        scored.sort(key=lambda s: (s[0], -s[1].timestamp(), -s[2]))
        top = scored[:limit]
        listed = {run[0]: run for run in self._runs(self._listing_ids, (self._ids([s[2] for s in top]),))}
        return flagged, [(listed[s[2]], s[3], s[3] / total, s[4]) for s in top]

    def flag(self, name: str, reason: str) -> tuple[Any, ...]:
        """Flags one output; its row."""
        raise NotImplementedError

    def search(self, q: str, limit: int) -> list[tuple[str, str]]:
        """(kind, value) of the run with id `q`, components and tags containing it, output ids starting with it,
        or, if none does and there is a trigram index, output ids containing it."""
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        run_id = int(q) if q.isdigit() and int(q) < 2**31 else None
        cur = self.conn.cursor()
        cur.execute(self._search, (run_id, pattern, limit, pattern, limit, q, q + "\U0010ffff", limit))
        found: dict[str, list[str]] = {"run": [], "component": [], "tag": [], "output": []}
        for kind, value, _label in cur.fetchall():
            found[kind].append(value)
        found["component"].sort(key=lambda n: (len(n), n))
        found["tag"].sort()
        found["output"].sort()
        room = limit - sum(map(len, found.values()))
        if room > 0 and not found["output"] and len(q) >= 3:
            found["output"] = self._containing(pattern, room)
        return [(kind, value) for kind, values in found.items() for value in values][:limit]

    def _containing(self, pattern: str, room: int) -> list[str]:
        return []  # no trigram index

    def _ids(self, ids: list[int]) -> Any:
        raise NotImplementedError

    @staticmethod
    def _time(value: Any) -> datetime:
        return value


class PostgresFloor(Floor):
    """The floor on PostgreSQL: COPY in, one statement per question, autocommit."""

    dialect = "postgresql"

    def __init__(self, dsn: str) -> None:
        super().__init__()
        self.conn = psycopg2.connect(dsn)
        self.conn.autocommit = True
        cur = self.conn.cursor()
        # index-driven plans whatever the statistics say (a hash join scans a whole table), as mltrace asks for
        cur.execute("SET jit = off; SET enable_hashjoin = off; SET enable_mergejoin = off")
        cur.execute(_POSTGRES_SCHEMA)
        cur.execute(
            "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
        found = cur.fetchone()
        self.trigrams = found is not None
        if found is not None:
            cur.execute(_POSTGRES_TRIGRAMS.format(schema=found[0]))
        self._listing_recent = self._sql(_listing("", "LIMIT %s", whole=False))
        self._listing_history = self._sql(_listing("WHERE r.component = %s", "LIMIT %s", whole=False))
        self._listing_ids = self._sql(_listing("WHERE r.id = ANY(%s)", "", whole=False))
        self._whole = self._sql(_listing("WHERE r.id = %s", "", whole=True))
        self._trace = _TRACE.format(name="%s")
        self._search = _SEARCH.replace("{p}", "%s")

    def analyze(self) -> None:
        self.conn.cursor().execute("ANALYZE runs, pointers, inputs, outputs, deps")

    def _store_batch(self, records: Sequence[ComponentRun]) -> None:
        conn = self.conn
        conn.autocommit = False
        cur = conn.cursor()
        names = list({p.name: None for r in records for p in (*r.inputs, *r.outputs)})
        cur.execute("SELECT p.name, p.id FROM unnest(%s::text[]) n(name) JOIN pointers p ON p.name = n.name", (names,))
        ids = dict(cur.fetchall())
        new = [n for n in names if n not in ids]
        if new:
            first = _reserve(cur, "pointer_ids", len(new))
            ids.update((n, first + i) for i, n in enumerate(new))
            _copy(cur, "pointers (id, name, type)", ((ids[n], n, _type(n)) for n in new))
        cur.execute(
            "INSERT INTO components SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
            (sorted({r.component_name for r in records}),),
        )
        lo = _reserve(cur, "run_ids", len(records))
        _copy(
            cur,
            "runs (id, key, component, start_ts, end_ts, status, n_in, n_out, code, facts)",
            (
                (
                    lo + i,
                    r.key,
                    r.component_name,
                    r.start_timestamp.isoformat(),
                    r.end_timestamp.isoformat(),
                    r.status,
                    len(r.inputs),
                    len(r.outputs),
                    r.code_snapshot,
                    _facts(r),
                )
                for i, r in enumerate(records)
            ),
        )
        _copy(
            cur,
            "inputs (run_id, pointer_id, value_hash, start_ts)",
            (
                (lo + i, ids[p.name], p.value_hash, r.start_timestamp.isoformat())
                for i, r in enumerate(records)
                for p in r.inputs
            ),
        )
        _copy(
            cur,
            "outputs (run_id, pointer_id, value_hash, end_ts)",
            (
                (lo + i, ids[p.name], p.value_hash, r.end_timestamp.isoformat())
                for i, r in enumerate(records)
                for p in r.outputs
            ),
        )
        cur.execute(_RESOLVE.format(lo=lo, hi=lo + len(records) - 1))
        conn.commit()
        conn.autocommit = True

    def _run(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return (*row[:7], json.loads(row[7]), json.loads(row[8]) if row[8] else [], *row[9:])

    def flag(self, name: str, reason: str) -> tuple[Any, ...]:
        cur = self.conn.cursor()
        cur.execute(
            "UPDATE pointers SET flag = true, reason = %s, flagged_at = now() WHERE name = %s "
            "RETURNING name, type, flag, reason, flagged_at",
            (reason, name),
        )
        return cur.fetchone()

    def unflag_all(self) -> None:
        self.conn.cursor().execute("UPDATE pointers SET flag = false, reason = NULL, flagged_at = NULL WHERE flag")

    def _containing(self, pattern: str, room: int) -> list[str]:
        if not self.trigrams:
            return []
        cur = self.conn.cursor()
        cur.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off;"
            "SELECT name FROM pointers WHERE lower(name) LIKE lower(%s) LIMIT %s",
            (pattern, room),
        )
        return sorted((n for (n,) in cur.fetchall()), key=lambda n: (len(n), n))

    def _ids(self, ids: list[int]) -> Any:
        return ids


class SqliteFloor(Floor):
    """The floor on SQLite: executemany in, one statement per question."""

    dialect = "sqlite"
    agg, arr, true = "json_group_array", "json_array", "1"

    def __init__(self, path: str) -> None:
        super().__init__()
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SQLITE_SCHEMA)
        q = "?"
        self._listing_recent = self._sql(_listing("", f"LIMIT {q}", whole=False))
        self._listing_history = self._sql(_listing(f"WHERE r.component = {q}", f"LIMIT {q}", whole=False))
        self._listing_ids = self._sql(_listing(f"WHERE r.id IN (SELECT value FROM json_each({q}))", "", whole=False))
        self._whole = self._sql(_listing(f"WHERE r.id = {q}", "", whole=True))
        self._trace = _TRACE.format(name=q)
        self._search = _SEARCH.replace("{p}", "?")

    def analyze(self) -> None:
        self.conn.execute("ANALYZE")

    def _store_batch(self, records: Sequence[ComponentRun]) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        names = list({p.name: None for r in records for p in (*r.inputs, *r.outputs)})
        ids = dict(
            conn.execute(
                "SELECT name, id FROM pointers WHERE name IN (SELECT value FROM json_each(?))", (json.dumps(names),)
            )
        )
        new = [n for n in names if n not in ids]
        if new:
            first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM pointers").fetchone()[0]
            ids.update((n, first + i) for i, n in enumerate(new))
            conn.executemany(
                "INSERT INTO pointers (id, name, type) VALUES (?, ?, ?)", ((ids[n], n, _type(n)) for n in new)
            )
        conn.executemany(
            "INSERT OR IGNORE INTO components VALUES (?)", [(c,) for c in {r.component_name for r in records}]
        )
        lo = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM runs").fetchone()[0]
        conn.executemany(
            "INSERT INTO runs (id, key, component, start_ts, end_ts, status, n_in, n_out, code, facts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    lo + i,
                    r.key,
                    r.component_name,
                    _naive(r.start_timestamp),
                    _naive(r.end_timestamp),
                    r.status,
                    len(r.inputs),
                    len(r.outputs),
                    r.code_snapshot,
                    _facts(r),
                )
                for i, r in enumerate(records)
            ),
        )
        conn.executemany(
            "INSERT INTO inputs VALUES (?, ?, ?, ?)",
            (
                (lo + i, ids[p.name], p.value_hash, _naive(r.start_timestamp))
                for i, r in enumerate(records)
                for p in r.inputs
            ),
        )
        conn.executemany(
            "INSERT INTO outputs VALUES (?, ?, ?, ?)",
            (
                (lo + i, ids[p.name], p.value_hash, _naive(r.end_timestamp))
                for i, r in enumerate(records)
                for p in r.outputs
            ),
        )
        conn.execute(_RESOLVE.format(lo=lo, hi=lo + len(records) - 1))
        conn.execute("COMMIT")

    def _run(self, row: Sequence[Any]) -> tuple[Any, ...]:
        io = [json.loads(v) if v else [] for v in row[9:12]]
        return (
            *row[:2],
            _aware(row[2]),
            _aware(row[3]),
            *row[4:7],
            json.loads(row[7]),
            json.loads(row[8]) if row[8] else [],
            *io,
            *row[12:],
        )

    def flag(self, name: str, reason: str) -> tuple[Any, ...]:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute(
            "UPDATE pointers SET flag = 1, reason = ?, flagged_at = ? WHERE name = ? "
            "RETURNING name, type, flag, reason, flagged_at",
            (reason, _naive(datetime.now(timezone.utc)), name),
        ).fetchone()
        conn.execute("COMMIT")
        return row

    def unflag_all(self) -> None:
        self.conn.execute("UPDATE pointers SET flag = 0, reason = NULL, flagged_at = NULL WHERE flag = 1")

    def _ids(self, ids: list[int]) -> Any:
        return json.dumps(ids)

    @staticmethod
    def _time(value: Any) -> datetime:
        return _aware(value)


def _reserve(cur: Any, sequence: str, count: int) -> int:
    """The first of `count` consecutive ids taken from `sequence`."""
    cur.execute(f"SELECT setval('{sequence}', nextval('{sequence}') + %s - 1)", (count,))
    return int(cur.fetchone()[0]) - count + 1


def _copy(cur: Any, target: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` into `target` as one text stream."""
    lines = ["\t".join(_copy_field(v) for v in row) for row in rows]
    if lines:
        import io

        cur.copy_expert(f"COPY {target} FROM STDIN", io.StringIO("\n".join(lines) + "\n"))


def _copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)


def _facts(r: ComponentRun) -> str:
    return json.dumps(
        [r.error, r.code_hash, r.git_hash, r.git_tags, r.notes, r.params, r.metrics, r.test_results, r.warnings]
    )


def _type(name: str) -> str:
    return "model" if name.endswith((".pkl", ".pt", ".onnx", ".joblib")) else "data"


def _naive(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


def _aware(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
