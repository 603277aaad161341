"""The one façade over mltrace: where runs are logged and how they are queried.

Decorators, the server and the CLI all call this module; the module-level functions keep
the names of the original mltrace API and use the process's default client.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import uuid
import weakref
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from mltrace.backends.remote import RemoteBackend
from mltrace.config import Config, default_db_uri
from mltrace.delivery.http_sink import HttpSink
from mltrace.delivery.spool import Spool, spool_dir_for
from mltrace.delivery.writer import BackgroundWriter
from mltrace.entities import Component, ComponentRun, IOPointer, PointerType, new_run_key
from mltrace.entities.access import SCOPES, ApiToken, AuditEntry, check_token_name, hash_secret, new_secret
from mltrace.entities.comparison import DEFAULT_POINTS, MAX_COMPARED, MAX_POINTS, MIN_COMPARED
from mltrace.entities.component_run import MAX_RUN_ID
from mltrace.entities.late_values import late_value_problems
from mltrace.entities.limits import fit_pointer_name
from mltrace.entities.series import Series
from mltrace.entities.suspect import RunSuspicion
from mltrace.entities.times import now_utc, parse_utc, utc
from mltrace.errors import InvalidInputError, NotFoundError, StoreUnreachableError, run_not_found
from mltrace.lineage.impact import parse_selector
from mltrace.lineage.pointer_types import infer_pointer_type

log = logging.getLogger("mltrace")

if TYPE_CHECKING:  # the database layer (SQLAlchemy, Alembic) is imported when first used: `import mltrace` stays light
    import pandas as pd

    from mltrace.artifacts.blobs import BlobStore
    from mltrace.backends.local import LocalBackend
    from mltrace.db.store import Store
    from mltrace.entities.artifact import StoredArtifact, StoredCacheEntry
    from mltrace.entities.comparison import Comparison
    from mltrace.entities.impact import Impact
    from mltrace.lineage.trace_diff import TraceDiff


class Client:
    """Queries and logging against one store: a database URI, or a server when `server_url` is set."""

    def __init__(
        self, db_uri: str, server_url: str = "", config: Config | None = None, token: str | None = None
    ) -> None:
        self.config = config or Config.from_env()
        self.db_uri = db_uri
        self.server_url = server_url.rstrip("/")
        self.token = self.config.token if token is None else token  # sent to the server, if any
        self._store: Store | None = None
        self._backend: LocalBackend | RemoteBackend | None = None
        self._writer: BackgroundWriter | None = None
        self._lineage_writer: BackgroundWriter | None = None
        self._lock = threading.Lock()
        self._store_lock = threading.Lock()
        _clients.add(self)

    # --- plumbing ------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The database (created on first use; migrated on first query)."""
        if self._store is None:
            with self._store_lock:  # the writer thread and the caller may both ask first, during a slow import
                if self._store is None:
                    from mltrace.db.store import Store

                    self._store = Store(self.db_uri, self.config.store_timeout)
        return self._store

    @property
    def backend(self) -> LocalBackend | RemoteBackend:
        """Where queries go: the server when one is set, else the database (which must exist: a query never
        creates a SQLite file, except the embedded default)."""
        if self._backend is None:
            if self.server_url:
                self._backend = RemoteBackend(self.server_url, self.config.store_timeout, self.token)
            else:
                from mltrace.backends.local import LocalBackend

                self.require_database()
                self._backend = LocalBackend(self.store)
        return self._backend

    @property
    def _logging_backend(self) -> LocalBackend | RemoteBackend:
        """The backend for what logging writes (components, their tags, pointers): it creates the database."""
        if self.server_url:
            return self.backend
        from mltrace.backends.local import LocalBackend

        return LocalBackend(self.store)

    def require_database(self) -> None:
        """Raises MissingDatabaseError when the database is a SQLite file that does not exist (the embedded
        default excepted: it is created on first use, as logging would)."""
        if self.db_uri != default_db_uri(self.config.home):
            from mltrace.db.store import require_database

            require_database(self.db_uri)

    @property
    def writer(self) -> BackgroundWriter:
        """The background writer for this client's target."""
        writer = self._writer
        if writer is not None:  # each decorated call asks: no lock once it exists
            return writer
        with self._lock:
            if self._writer is None:
                cfg = self.config
                target = self.server_url or self.db_uri
                sink = HttpSink(self.server_url, cfg.store_timeout, self.token) if self.server_url else _StoreSink(self)
                self._writer = BackgroundWriter(
                    sink,
                    Spool(spool_dir_for(cfg.home, target), int(cfg.spool_max_mb * 2**20)),
                    cfg.queue_size,
                    cfg.batch_size,
                    cfg.flush_interval,
                    cfg.retry_interval,
                    cfg.journal,
                )
            return self._writer

    @property
    def lineage_writer(self) -> BackgroundWriter | None:
        """The background writer that sends runs to the OpenLineage collector of `MLTRACE_OPENLINEAGE_URL` (None
        when it is not set): a queue and spool of its own, so a collector that is down delays nothing else."""
        cfg = self.config
        if not cfg.openlineage_url:
            return None
        with self._lock:
            if self._lineage_writer is None:
                from mltrace.delivery.openlineage_sink import OpenLineageSink

                self._lineage_writer = BackgroundWriter(
                    OpenLineageSink(cfg.openlineage_url, cfg.store_timeout, cfg.openlineage_api_key or None),
                    Spool(spool_dir_for(cfg.home, "openlineage:" + cfg.openlineage_url), int(cfg.spool_max_mb * 2**20)),
                    cfg.queue_size,
                    cfg.batch_size,
                    cfg.flush_interval,
                    cfg.retry_interval,
                    cfg.journal,
                )
            return self._lineage_writer

    def submit(self, record: ComponentRun) -> None:
        """Queues a captured run for background storage, and for the OpenLineage collector when one is set
        (never blocks, never raises)."""
        self.writer.submit(record.with_key())
        lineage = self.lineage_writer
        if lineage is not None:
            lineage.submit(dataclasses.replace(record))  # its own copy: each writer adds git information

    def flush(self, timeout: float | None = None) -> bool:
        """Waits until everything logged is stored (and sent to the OpenLineage collector, when one is set);
        False if runs remain in a spool, or some were refused (see `rejected`) or could not be kept."""
        stored = self.writer.flush(timeout)
        lineage = self.lineage_writer
        return (lineage.flush(timeout) if lineage is not None else True) and stored

    def rejected(self) -> list[dict[str, Any]]:
        """The runs the store refused, kept beside the spool of this client's store, oldest first:
        `{"key", "component", "start", "reason", "rejected_at", "run"}` (`run` as `entities.run_wire.to_wire`)."""
        entries = []
        for entry in self.writer.spool.rejected():
            run = entry.get("run") or {}
            entries.append(
                {
                    "key": run.get("key"),
                    "component": run.get("component"),
                    "start": run.get("start"),
                    "reason": entry.get("error"),
                    "rejected_at": entry.get("rejected_at"),
                    "run": run,
                }
            )
        return entries

    def retry_rejected(self) -> int:
        """Puts the refused runs back in the spool, to be delivered again (after the store or the runs were
        fixed); returns how many."""
        return self.writer.spool.requeue_rejected()

    def spool_status(self) -> dict[str, Any]:
        """What waits in the spool of this client's store: `{"directory", "runs", "files", "running"}`, where
        `runs` in `files` wait for any process to deliver them (logged while the store was unreachable, or left by
        processes that ended first) and `running` processes hold runs they have not stored yet."""
        spool = self.writer.spool
        runs, files = spool.waiting()
        return {"directory": str(spool.directory), "runs": runs, "files": files, "running": spool.running_journals()}

    def deliver_spooled(self, timeout: float | None = None) -> bool:
        """Stores the runs waiting in the spool now (as the next process logging to this store would); False if
        some still wait (the store is unreachable, `store_problem` says why, or time ran out)."""
        return self.writer.flush(timeout)

    @property
    def store_problem(self) -> str | None:
        """Why the store last failed to answer the background writer; None once it takes runs again."""
        return self.writer.store_problem

    def upgrade(self) -> str:
        """Applies pending schema migrations; returns the schema revision."""
        from mltrace.db.migrate import head_revision

        self.store.ensure_ready()
        return head_revision()

    def ping(self) -> None:
        """Raises if the database cannot be reached."""
        self.store.ping()

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`: the database's kind."""
        return self.store.dialect

    # --- writing -------------------------------------------------------------
    def ingest(self, records: list[ComponentRun]) -> list[int]:
        """Stores runs now (synchronously), creating the database if needed; returns their new ids (none
        through a server). Raises RunsRefusedError (naming the runs) or StoreUnreachableError; stores nothing then."""
        records = [record.with_key() for record in records]
        if self.server_url:
            return self.backend.ingest(records)
        return self.store.ingest(records)

    def create_component(
        self, name: str, description: str | None = None, owner: str | None = None, tags: list[str] | None = None
    ) -> None:
        """Creates a component or updates the metadata given."""
        _require_name(name, "component name")
        self._logging_backend.create_component(name, description, owner, list(tags or []))

    def tag_component(self, name: str, tags: list[str]) -> None:
        """Adds tags to a component."""
        self._logging_backend.tag_component(name, list(tags))

    def flag(self, output_id: str, reason: str | None = None) -> IOPointer:
        """Flags an output as bad."""
        return self.backend.flag(output_id, reason)

    def unflag(self, output_id: str) -> IOPointer:
        """Clears an output's flag (idempotent)."""
        return self.backend.unflag(output_id)

    def unflag_all(self) -> int:
        """Clears every flag."""
        return self.backend.unflag_all()

    def set_notes(self, run_id: int, notes: str) -> ComponentRun:
        """Replaces a run's notes."""
        return self.backend.set_notes(run_id, notes)

    def set_values(
        self, run_id: int, params: dict[str, Any] | None = None, metrics: dict[str, Any] | None = None
    ) -> ComponentRun:
        """Adds or replaces params and metrics of a stored run (a test accuracy known only later), both at once;
        returns the updated run. Values are numbers (NaN and ±Infinity too), strings or booleans:
        InvalidInputError otherwise, NotFoundError for an unknown run."""
        problems = late_value_problems("params", params or {}) + late_value_problems("metrics", metrics or {})
        if problems:
            raise InvalidInputError("; ".join(problems))
        if not (isinstance(run_id, int) and 0 < run_id <= MAX_RUN_ID):
            raise run_not_found(run_id)
        return self.backend.set_values(run_id, dict(params or {}), dict(metrics or {}))

    def set_params(self, run_id: int, params: dict[str, Any]) -> ComponentRun:
        """Adds or replaces params of a stored run (see `set_values`)."""
        return self.set_values(run_id, params=params)

    def set_metrics(self, run_id: int, metrics: dict[str, Any]) -> ComponentRun:
        """Adds or replaces run-level metrics of a stored run (see `set_values`; its step series are unchanged)."""
        return self.set_values(run_id, metrics=metrics)

    def clean(self) -> None:
        """Deletes everything stored."""
        self.backend.clean()

    # --- OpenLineage -----------------------------------------------------------
    def ingest_openlineage(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Stores OpenLineage RunEvents, JobEvents and DatasetEvents (JSON objects) in one transaction and
        (re)builds the runs they belong to; returns `{"run_id", "duplicate"}` per event. InvalidInputError, and
        nothing stored, when one is not a valid event (`lineage.openlineage.event_problems`)."""
        from mltrace.lineage.openlineage import event_problems

        for position, event in enumerate(events):
            problems = event_problems(event)
            if problems:
                raise InvalidInputError(f"event {position} is not a valid OpenLineage event: {problems}")
        if self.server_url:
            return self.backend.ingest_openlineage(events)
        from mltrace.backends.local import LocalBackend

        return LocalBackend(self.store).ingest_openlineage(events)

    def openlineage_events(self, run_id: int) -> list[dict[str, Any]]:
        """One run as OpenLineage events: START, then COMPLETE or FAIL."""
        return self.backend.openlineage_events(run_id)

    def export_openlineage(self) -> Iterator[dict[str, Any]]:
        """Every stored run as OpenLineage events (START, then COMPLETE or FAIL), oldest run first."""
        return self.backend.export_openlineage()

    # --- tokens and the audit trail --------------------------------------------
    def create_token(self, name: str, scope: str, expires_in: timedelta | None = None) -> tuple[ApiToken, str]:
        """Creates an API token; returns it and its secret, which is shown this once (only its hash is stored)."""
        problem = check_token_name(name)
        if problem:
            raise InvalidInputError(problem)
        if scope not in SCOPES:
            raise InvalidInputError(f"scope must be one of {', '.join(SCOPES)}, got {scope!r}")
        if expires_in is not None and expires_in <= timedelta(0):
            raise InvalidInputError("a token must expire in the future")
        if isinstance(self.backend, RemoteBackend):
            return self.backend.create_token_on_server(name, scope, _duration_text(expires_in))
        secret = new_secret()
        expires_at = None if expires_in is None else now_utc() + expires_in
        return self.backend.create_token(name, scope, hash_secret(secret), expires_at), secret

    def revoke_token(self, name: str) -> ApiToken:
        """Revokes the token of that name at once (a server's other workers stop taking it within
        MLTRACE_AUTH_CACHE_SECONDS)."""
        return self.backend.revoke_token(name)

    def tokens(self) -> list[ApiToken]:
        """Every token, revoked and expired ones too (never their secrets)."""
        return self.backend.tokens()

    def token_for(self, secret: str) -> ApiToken | None:
        """The stored token whose secret this is (revoked or expired ones too), or None."""
        return self.backend.token_by_hash(hash_secret(secret))

    def audit(
        self,
        limit: int = 50,
        before: tuple[datetime, int] | None = None,
        since: datetime | None = None,
        run_id: int | None = None,
        output_id: str | None = None,
    ) -> list[AuditEntry]:
        """Recorded writes, newest first, strictly older than the cursor `before` (time, id), at or after
        `since`; with `run_id` and `output_id`, only those about the run (its notes and the flags of the outputs it
        wrote) or the output."""
        _require_limit(limit)
        return self.backend.audit(limit, before, _bound(since), run_id, output_id)

    # --- reading -------------------------------------------------------------
    def get_run(self, run_id: int) -> ComponentRun:
        """One run with its code snapshot and all its inputs and outputs."""
        return self.backend.get_run(run_id)

    def series(self, run_id: int, keys: list[str] | None = None) -> Series:
        """The step series a run logged (`log_metrics(..., step=N)`), by key, each ordered by step; `keys`: only
        those. NaN and ±Infinity are floats. NotFoundError for an unknown run."""
        if not (isinstance(run_id, int) and 0 < run_id <= MAX_RUN_ID):
            raise run_not_found(run_id)
        found = self.backend.series([run_id], keys)
        if run_id not in found:
            raise run_not_found(run_id)
        return found[run_id]

    def series_of(self, run_ids: list[int], keys: list[str] | None = None) -> dict[int, Series]:
        """`series` of several runs at once, by run id; NotFoundError naming the ids of no stored run."""
        wanted = list(dict.fromkeys(run_ids))
        found = self.backend.series([r for r in wanted if isinstance(r, int) and 0 < r <= MAX_RUN_ID], keys)
        missing = [r for r in wanted if r not in found]
        if missing:
            raise NotFoundError(f"Runs not found: {', '.join(map(str, missing[:20]))}.")
        return found

    def recent(self, limit: int = 20, before: tuple[datetime, int] | None = None) -> list[ComponentRun]:
        """Newest runs first, strictly older than the cursor `before` (start, id).

        Like every listing of runs, each run is a preview: at most PREVIEW_SIZE inputs and
        outputs, with their totals in `inputs_count`/`outputs_count`; see `whole`.
        """
        _require_limit(limit)
        return self.backend.recent(limit, before)

    def search_runs(
        self, where: str = "", order_by: str = "", limit: int = 20, before: tuple[datetime, int] | None = None
    ) -> list[ComponentRun]:
        """The runs a filter selects, in the order asked (newest first by default), previewed as `recent` does;
        the page after the run of the cursor `before` (start, id of the previous page's last run).

        `where` and `order_by` are in MLflow's search syntax (docs/API.md, Querying runs):
        `search_runs("metrics.accuracy > 0.9 and params.model = 'resnet18'", "metrics.accuracy desc")`.
        FilterError (an InvalidInputError) names the column of what cannot be read."""
        _require_limit(limit)
        for text, what in ((where, "where"), (order_by, "order_by")):
            if not isinstance(text, str):
                raise InvalidInputError(f"{what} must be a string, got {text!r}")
        from mltrace.query.filter_grammar import parse_filter, parse_order  # lark, loaded when first needed

        parse_filter(where)  # a bad filter fails here, before any request
        parse_order(order_by)
        return self.backend.search_runs(where, order_by, limit, before)

    def to_df(
        self, where: str = "", component: str | None = None, limit: int | None = None, order_by: str = ""
    ) -> pd.DataFrame:
        """The runs a filter selects as a pandas DataFrame, one row per run (`exports/frame.py` lists the columns
        and their dtypes), newest first unless `order_by` says otherwise. Needs `pip install 'mltrace[pandas]'`."""
        from mltrace.exports.frame import require_pandas

        require_pandas("to_df")
        self._check_table_query(where, order_by, component, limit)
        if self.server_url:
            raise self.backend._unsupported("to_df")  # type: ignore[union-attr]
        return self.backend.run_frame(where, order_by, component, limit)  # type: ignore[union-attr]

    def export_text(
        self,
        fmt: str,
        where: str = "",
        component: str | None = None,
        limit: int | None = None,
        order_by: str = "",
    ) -> Iterator[str]:
        """The selected runs as CSV or JSON text (`exports/writers.py`), in chunks, read from the database a chunk
        at a time: memory stays flat however many runs. The filter is checked before the first chunk."""
        if fmt not in ("csv", "json"):
            raise InvalidInputError(f"format must be csv or json, got {fmt!r}")
        self._check_table_query(where, order_by, component, limit)
        return self.backend.export_text(fmt, where, order_by, component, limit)

    def _check_table_query(self, where: str, order_by: str, component: str | None, limit: int | None) -> None:
        from mltrace.query.filter_grammar import parse_filter, parse_order

        if limit is not None:
            _require_limit(limit)
        if component is not None and not isinstance(component, str):
            raise InvalidInputError(f"component must be a string, got {component!r}")
        for text, what in ((where, "where"), (order_by, "order_by")):
            if not isinstance(text, str):
                raise InvalidInputError(f"{what} must be a string, got {text!r}")
        parse_filter(where)
        parse_order(order_by)

    def recent_run_ids(self, limit: int = 5, last_run_id: int | None = None) -> list[int]:
        """Ids of the newest runs (original API)."""
        _require_limit(limit)
        return self.backend.recent_run_ids(limit, last_run_id)

    def history(
        self,
        component: str,
        limit: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before: tuple[datetime, int] | None = None,
    ) -> list[ComponentRun]:
        """A component's runs, newest first (all of them when `limit` is None), previewed as `recent` does;
        strictly older than the cursor `before` (start, id) when given."""
        if limit is not None:
            _require_limit(limit)
        return self.backend.history(component, limit, since, until, before)

    def component(self, name: str) -> Component:
        """One component."""
        return self.backend.component(name)

    def components(self, tag: str | None = None, owner: str | None = None) -> list[Component]:
        """Components, optionally by tag and owner."""
        return self.backend.components(tag, owner)

    def tags(self) -> list[str]:
        """Every tag in use."""
        return self.backend.tags()

    def pointer(self, name: str) -> IOPointer:
        """One logged input or output."""
        return self.backend.pointer(name)

    def create_pointer(self, name: str, pointer_type: PointerType | None = None) -> IOPointer:
        """A pointer, created if it does not exist (original `get_io_pointer`)."""
        return self._logging_backend.create_pointer(name, pointer_type or infer_pointer_type(name))

    def flags(self) -> list[IOPointer]:
        """Every flagged output."""
        return self.backend.flags()

    def trace(
        self, output_id: str, direction: str = "upstream", depth: int | None = None, run_id: int | None = None
    ) -> dict[str, Any]:
        """The lineage graph of an output (SPEC §9 shape); a `cached` run's node names the run it reused
        (`reused_run_id`)."""
        graph = self.backend.trace(output_id, direction, depth, run_id)
        cached = [n["run_id"] for n in graph["nodes"] if n.get("status") == "cached" and "reused_run_id" not in n]
        if cached:
            reused = self.backend.reused_runs(cached)
            for node in graph["nodes"]:
                if node.get("status") == "cached" and "reused_run_id" not in node:
                    node["reused_run_id"] = reused.get(node["run_id"])
        return graph

    def runs(self, run_ids: list[int]) -> list[ComponentRun]:
        """The runs with these ids, whole (every input and output), in the order given; unknown ids are left out."""
        for run_id in run_ids:
            if isinstance(run_id, bool) or not isinstance(run_id, int):
                raise InvalidInputError(f"run ids must be integers, got {run_id!r}")
        return self.backend.runs([run_id for run_id in run_ids if 0 < run_id <= MAX_RUN_ID])  # others cannot exist

    def stored_run_ids(self, run_ids: list[int]) -> set[int]:
        """Which of these run ids name stored runs."""
        return self.backend.stored_run_ids([run_id for run_id in run_ids if 0 < run_id <= MAX_RUN_ID])

    def whole(self, runs: list[ComponentRun]) -> list[ComponentRun]:
        """The same runs with all their inputs and outputs (previews are fetched again, whole)."""
        previews = [run.id for run in runs if run.is_preview and run.id is not None]
        fetched = {run.id: run for run in self.backend.runs(previews)} if previews else {}
        return [fetched.get(run.id, run) for run in runs]

    def suspicions(self, run_ids: list[int]) -> dict[int, RunSuspicion]:
        """Why each of these runs, and what it wrote, is suspect (computed on read): a flagged output or a failed
        test upstream of it. Runs that are not suspect are left out."""
        for run_id in run_ids:
            if isinstance(run_id, bool) or not isinstance(run_id, int):
                raise InvalidInputError(f"run ids must be integers, got {run_id!r}")
        return self.backend.suspicions([run_id for run_id in run_ids if 0 < run_id <= MAX_RUN_ID])

    def review(self, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        """Flagged outputs and `(run, count, coverage, score, evidence)` for the runs behind them, most suspicious
        first (runs previewed as `recent` does, `evidence` a list of `lineage.evidence.Evidence`); the `limit` runs
        after the `offset` most suspicious."""
        _require_limit(limit)
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise InvalidInputError(f"offset must be a non-negative integer, got {offset!r}")
        return self.backend.review(limit, offset)

    def impact(
        self, target: str, since: datetime | None = None, until: datetime | None = None, limit: int = 20
    ) -> Impact:
        """The blast radius of an output id or of `run:N`: the runs downstream (for an output, those that read it
        and all that followed; for a run, itself too) that started in [since, until), counted per component, and
        the endpoint outputs they wrote (of the endpoint type, or read by no run): how many, how many are flagged,
        and the `limit` newest by the start of their latest affected writer."""
        _require_limit(limit)
        return self.backend.impact(parse_selector(target), _bound(since), _bound(until), limit)

    def flag_impact(
        self, target: str, reason: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> int:
        """Flags every endpoint output of `impact(target, since, until)` not flagged yet, with `reason`, all in
        one transaction (review then ranks them like any flag); returns how many it flagged."""
        if reason is not None and not isinstance(reason, str):
            raise InvalidInputError(f"reason must be a string, got {reason!r}")
        return self.backend.flag_impact(parse_selector(target), reason, _bound(since), _bound(until))

    def backtrace(self, output_id: str) -> list[tuple[int, ComponentRun]]:
        """`(hops from the producer, run)` for every run upstream of an output (original API)."""
        graph = self.trace(output_id, "upstream")
        depths = _hop_counts(graph)
        ordered = sorted(depths, key=lambda rid: (depths[rid], rid))
        return [(depths[run.id], run) for run in self.backend.runs(ordered) if run.id is not None]

    def diff(self, a: str, b: str) -> TraceDiff:
        """The upstream traces of two outputs aligned run by run, with what differs ranked, the likely cause
        first (`lineage/trace_diff.py` says how runs are paired and ranked)."""
        from mltrace.lineage.trace_diff import diff_traces, trace_side

        graphs = [self.trace(output_id, "upstream") for output_id in (a, b)]
        run_ids = [[node["run_id"] for node in graph["nodes"] if node["kind"] == "run"] for graph in graphs]
        fetched = {run.id: run for run in self.runs(list(dict.fromkeys(run_ids[0] + run_ids[1])))}
        sides = [
            trace_side(output_id, _producer(graph), [fetched[run_id] for run_id in ids if run_id in fetched])
            for output_id, graph, ids in zip((a, b), graphs, run_ids, strict=True)
        ]
        return diff_traces(sides[0], sides[1], code_of=lambda run_id: self.get_run(run_id).code_snapshot)

    def compare(self, run_ids: list[int], points: int = DEFAULT_POINTS) -> Comparison:
        """Runs side by side (2 to 50; a repeated id counts once): their params, metrics, facts (component,
        status, code hash, git commit, duration) and inputs' versions, a row each with a value per run, the rows
        that differ first; and each step metric's series per run, sampled to at most `points` points.
        InvalidInputError for fewer or more runs or a bad id, NotFoundError naming the ids no run has."""
        for run_id in run_ids:
            if isinstance(run_id, bool) or not isinstance(run_id, int):
                raise InvalidInputError(f"run ids must be integers, got {run_id!r}")
        distinct = list(dict.fromkeys(run_ids))
        if not MIN_COMPARED <= len(distinct) <= MAX_COMPARED:
            raise InvalidInputError(
                f"compare takes {MIN_COMPARED} to {MAX_COMPARED} distinct run ids, got {len(distinct)}"
            )
        if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= MAX_POINTS:
            raise InvalidInputError(f"points must be an integer from 2 to {MAX_POINTS}, got {points!r}")
        impossible = [run_id for run_id in distinct if not 0 < run_id <= MAX_RUN_ID]
        if impossible:
            noun = "Run" if len(impossible) == 1 else "Runs"
            raise NotFoundError(f"{noun} {', '.join(map(str, impossible))} not found.")
        return self.backend.compare(distinct, points)

    def web_trace(self, output_id: str) -> list[dict[str, Any]]:
        """The original UI's nested trace tree; a run reached twice is expanded once."""
        return _nested_tree(self.trace(output_id, "upstream"))

    def search(self, q: str, limit: int = 20) -> list[dict[str, str]]:
        """Command-bar completions for `q`."""
        _require_limit(limit)
        return self.backend.search(q, limit)

    # --- the artifact store and cached steps ------------------------------------
    @property
    def artifact_store(self) -> BlobStore:
        """The artifact store of `MLTRACE_ARTIFACT_URI` (default: the `artifacts` folder of MLTRACE_HOME)."""
        from mltrace.artifacts.location import open_blob_store

        return open_blob_store(self.config.artifact_uri)

    def artifacts(
        self, run_id: int | None = None, name: str | None = None, digest: str | None = None, limit: int = 100
    ) -> list[StoredArtifact]:
        """Outputs of runs whose bytes were stored in the artifact store, newest first: of one run, one name or one
        digest, or all."""
        _require_limit(limit)
        return self.backend.artifacts(run_id, name, digest, limit)

    def cache_hits(self, key: str) -> list[StoredCacheEntry]:
        """The newest successful runs recorded with this cache key, whole, with their stored outputs."""
        return self.backend.cache_hits(key)

    def latest_cache_entry(self, component: str) -> StoredCacheEntry | None:
        """The newest successful or cached run of `component` that recorded a cache key."""
        return self.backend.latest_cache_entry(component)

    def reused_runs(self, run_ids: list[int]) -> dict[int, int | None]:
        """For each of these runs that returned an earlier run's result (status `cached`), that run's id."""
        return self.backend.reused_runs(run_ids)

    def referenced_digests(self, digests: list[str]) -> set[str]:
        """Those of `digests` that some run references (what an artifact collection must keep)."""
        return self.backend.referenced_digests(digests)


def _producer(graph: dict[str, Any]) -> int | None:
    """The run that wrote the root of an upstream trace, if any."""
    root = graph["root"]
    for edge in graph["edges"]:
        if edge["target"] == root and edge["source"].startswith("run:"):
            return int(edge["source"].split(":", 1)[1])
    return None


def _hop_counts(graph: dict[str, Any]) -> dict[int, int]:
    """Run id → fewest runs between it and the output's producer (0 for the producer)."""
    import networkx as nx

    g = nx.DiGraph([(e["target"], e["source"]) for e in graph["edges"]])
    g.add_node(graph["root"])
    lengths = nx.single_source_shortest_path_length(g, graph["root"])
    return {int(n.split(":", 1)[1]): lengths[n] // 2 for n in lengths if n.startswith("run:")}


def _nested_tree(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """The original UI's tree: each node's parents as its children, a node expanded where a depth-first walk
    meets it first. Built with a stack, not recursion: a chain of thousands of runs nests that deep."""
    nodes = {n["id"]: n for n in graph["nodes"]}
    parents: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        parents.setdefault(edge["target"], []).append(edge["source"])

    def entry(node_id: str) -> dict[str, Any]:
        node = nodes[node_id]
        is_run = node["kind"] == "run"
        return {
            "id": node_id,
            "label": f"{node['component']} (run {node['run_id']})" if is_run else node["name"],
            "hasCaret": False,
            "isExpanded": True,
            "stale": node.get("stale", []) if is_run else [],
            "childNodes": [],
        }

    tree = [entry(p) for p in parents.get(graph["root"], [])]
    expanded: set[str] = set()
    waiting = tree[::-1]  # popped in order, depth first
    while waiting:
        item = waiting.pop()
        if item["id"] in expanded:
            continue
        expanded.add(item["id"])
        item["childNodes"] = [entry(p) for p in parents.get(item["id"], [])]
        item["hasCaret"] = bool(item["childNodes"])
        waiting.extend(reversed(item["childNodes"]))
    return tree


class _StoreSink:
    """The database as the writer's sink, opened on first delivery (so a database that is down is retried)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def ingest(self, records: list[ComponentRun], never_delivered: bool = False) -> object:
        try:
            store = self.client.store
        except Exception as exc:  # a URI or driver problem: the runs wait until it is fixed, none is refused
            raise StoreUnreachableError(f"cannot open {self.client.db_uri}: {exc}") from exc
        return store.ingest(records, never_delivered)


def _duration_text(value: timedelta | None) -> str | None:
    """A lifetime as the API takes it (whole hours, at least one)."""
    if value is None:
        return None
    return f"{max(1, int(value.total_seconds() // 3600))}h"


def _require_limit(limit: int) -> None:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise InvalidInputError(f"limit must be a positive integer, got {limit!r}")


def _bound(value: datetime | None) -> datetime | None:
    """A time bound of a query as aware UTC (naive means UTC)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidInputError(f"a time bound must be a datetime, got {value!r}")
    try:
        return utc(value)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None


def _require_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"{what} must be a non-empty string")


# --- the process's default client and the original module-level API -----------

_default: Client | None = None
_default_lock = threading.Lock()
_overrides: dict[str, str] = {}


def default_client() -> Client:
    """The client configured by the environment and `set_db_uri`/`set_address`."""
    global _default
    client = _default
    if client is not None:  # each decorated call asks: no lock once it exists
        return client
    with _default_lock:
        if _default is None:
            cfg = Config.from_env()
            _default = Client(
                _overrides.get("db_uri", cfg.db_uri),
                _overrides.get("server_url", cfg.server_url),
                cfg,
                _overrides.get("token"),
            )
        return _default


def _reset_default() -> None:
    """Forgets the default client, after delivering what it holds (its writer thread stops)."""
    global _default
    with _default_lock:
        for writer in (_default._writer, _default._lineage_writer) if _default is not None else ():
            if writer is not None:
                writer.close(Config.from_env().exit_timeout)
        _default = None


def _fresh_locks_after_fork() -> None:
    """In a forked child: locks another thread of the parent held at the fork would never be released."""
    global _default_lock
    _default_lock = threading.Lock()
    for client in list(_clients):
        client._lock = threading.Lock()
        client._store_lock = threading.Lock()


_clients: weakref.WeakSet[Client] = weakref.WeakSet()
os.register_at_fork(after_in_child=_fresh_locks_after_fork)


def set_db_uri(uri: str) -> None:
    """Uses this database from now on (`sqlite:////abs/path.db`, `postgresql://user@host:port/db`)."""
    _require_name(uri, "database URI")
    _overrides["db_uri"] = uri
    _reset_default()


def get_db_uri() -> str:
    """The database URI in use."""
    return default_client().db_uri


def set_address(address: str, token: str | None = None) -> None:
    """Logs through the mltrace server at `address` (its root, e.g. http://host:8080), sending `token` (default:
    $MLTRACE_TOKEN) with every request when the server requires one."""
    _require_name(address, "server address")
    if "://" not in address:
        address = f"http://{address}"
    _overrides["server_url"] = address.rstrip("/")
    if token is None:
        _overrides.pop("token", None)
    else:
        _overrides["token"] = token
    _reset_default()


def flush(timeout: float | None = None) -> bool:
    """Waits until everything logged so far is stored; True when it is, False if runs wait in the spool, were
    refused by the store (see `rejected()`) or could not be kept. Never raises."""
    try:
        return default_client().flush(timeout)
    except Exception:
        log.exception("mltrace: flush failed")
        return False


def rejected() -> list[dict[str, Any]]:
    """The runs the store refused, with why: `[{"key", "component", "start", "reason", "rejected_at", "run"}]`.

    They are kept beside the spool and never lost; fix the cause, then `mltrace rejected --retry` (or
    `default_client().retry_rejected()`) sends them again.
    """
    return default_client().rejected()


def clean_db() -> None:
    """Deletes every record and recreates the schema."""
    default_client().clean()


def create_component(
    name: str, description: str | None = None, owner: str | None = None, tags: list[str] | None = None
) -> None:
    """Creates a component (or updates its metadata)."""
    default_client().create_component(name, description, owner, tags)


def tag_component(component_name: str, tags: list[str]) -> None:
    """Adds tags to an existing component."""
    default_client().tag_component(component_name, tags)


def log_component_run(
    component_run: ComponentRun,
    set_dependencies_from_inputs: bool = True,
    staleness_threshold: int | float | timedelta | None = None,
) -> None:
    """Logs a hand-built ComponentRun (in the background, like the decorators).

    Dependencies are always resolved from inputs (version-exact); explicit upstream run ids
    from `component_run.dependencies` are added.
    """
    now = now_utc()
    threshold = staleness_threshold
    notes = list(component_run.warnings)
    record = dataclasses.replace(  # a copy: the caller may reuse its run as a builder
        component_run,
        start_timestamp=utc(component_run.start_timestamp or now),
        end_timestamp=utc(component_run.end_timestamp or component_run.start_timestamp or now),
        inputs=_storable(component_run.inputs, notes),
        outputs=_storable(component_run.outputs, notes),
        dependencies=[int(d) for d in component_run.dependencies],
        staleness_threshold_s=(
            Config.from_env().staleness_days * 86400.0 if threshold is None else threshold_seconds(threshold)
        ),
        warnings=notes,
        key=new_run_key(),
    )
    default_client().submit(record)


def _storable(pointers: list[IOPointer], notes: list[str]) -> list[IOPointer]:
    """Copies of a hand-built run's pointers, each name one the store can keep (`limits.fit_pointer_name`, as
    for decorated runs); each change is a line in `notes`."""
    copies = []
    for pointer in pointers:
        name, problem = fit_pointer_name(pointer.name)
        if problem is not None:
            notes.append(f"The name {pointer.name[:80]!r} {problem}; it is stored as {name[:80]!r}.")
        copies.append(IOPointer(name, pointer.pointer_type, pointer.value_hash))
    return copies


def threshold_seconds(value: int | float | timedelta) -> float:
    """A staleness threshold given as seconds or a timedelta, in seconds."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise TypeError(f"staleness_threshold must be seconds (int) or a timedelta, got {value!r}")


def create_random_ids(num_outputs: int = 1) -> list[str]:
    """Fresh unique ids to name outputs with (e.g. prediction ids)."""
    return [str(uuid.uuid4()) for _ in range(num_outputs)]


def get_history(
    component_name: str,
    limit: int | None = None,
    date_lower: datetime | str | None = None,
    date_upper: datetime | str | None = None,
) -> list[ComponentRun]:
    """A component's runs, newest first (all of them unless `limit`), each with all its inputs and outputs."""
    client = default_client()
    return client.whole(client.history(component_name, limit, parse_time(date_lower), parse_time(date_upper)))


def search_runs(where: str = "", order_by: str = "", limit: int = 20) -> list[ComponentRun]:
    """The first `limit` runs a filter selects, in the order asked (newest first by default), each with all its
    inputs and outputs: `search_runs("metrics.accuracy > 0.9 and status = 'success'", "metrics.accuracy desc")`.
    `Client.search_runs` pages through them."""
    client = default_client()
    return client.whole(client.search_runs(where, order_by, limit))


def to_df(where: str = "", component: str | None = None, limit: int | None = None, order_by: str = "") -> pd.DataFrame:
    """The runs a filter selects as a pandas DataFrame, one row per run: `to_df("metrics.accuracy > 0.9")`
    (see `Client.to_df`). Needs `pip install 'mltrace[pandas]'`."""
    return default_client().to_df(where, component, limit, order_by)


def get_recent_run_ids(limit: int = 5, last_run_id: int | None = None) -> list[int]:
    """Ids of the most recent runs, older than `last_run_id` when given."""
    return default_client().recent_run_ids(limit, last_run_id)


def get_component_run_information(component_run_id: int) -> ComponentRun:
    """One run with everything recorded about it."""
    return default_client().get_run(int(component_run_id))


def get_component_information(component_name: str) -> Component:
    """A component's name, description, owner and tags."""
    return default_client().component(component_name)


def get_components(tag: str | None = None, owner: str | None = None) -> list[Component]:
    """Every component, optionally filtered by tag and owner."""
    return default_client().components(tag, owner)


def get_tags() -> list[str]:
    """Every tag."""
    return default_client().tags()


def get_io_pointer(io_pointer_id: str, create: bool = True) -> IOPointer:
    """An input/output pointer; created when missing unless `create=False` (then NotFoundError)."""
    client = default_client()
    return client.create_pointer(io_pointer_id) if create else client.pointer(io_pointer_id)


def flag_output_id(output_id: str, reason: str | None = None) -> IOPointer:
    """Flags an output (NotFoundError if it was never logged)."""
    return default_client().flag(output_id, reason)


def unflag_output_id(output_id: str) -> IOPointer:
    """Clears an output's flag."""
    return default_client().unflag(output_id)


def unflag_all() -> int:
    """Clears every flag; returns how many were set."""
    return default_client().unflag_all()


def set_params(run_id: int, params: dict[str, Any]) -> ComponentRun:
    """Adds or replaces params of a stored run: numbers, strings or booleans; returns the updated run."""
    return default_client().set_params(run_id, params)


def set_metrics(run_id: int, metrics: dict[str, Any]) -> ComponentRun:
    """Adds or replaces metrics of a stored run (e.g. a test accuracy known only later); returns the updated run."""
    return default_client().set_metrics(run_id, metrics)


def add_notes_to_component_run(component_run_id: int, notes: str) -> str:
    """Replaces a run's notes; returns them."""
    return default_client().set_notes(int(component_run_id), notes).notes


def trace(
    output_id: str, direction: str = "upstream", depth: int | None = None, run_id: int | None = None
) -> dict[str, Any]:
    """The lineage graph of an output: `{"root", "direction", "nodes", "edges"}` (see SPEC §9)."""
    return default_client().trace(output_id, direction, depth, run_id)


def impact(target: str, since: datetime | None = None, until: datetime | None = None, limit: int = 20) -> Impact:
    """The blast radius of an output id or `run:N`: affected runs per component and endpoint outputs."""
    return default_client().impact(target, since, until, limit)


def flag_impact(
    target: str, reason: str | None = None, since: datetime | None = None, until: datetime | None = None
) -> int:
    """Flags every endpoint output downstream of an output id or `run:N`, in one transaction; how many."""
    return default_client().flag_impact(target, reason, since, until)


def backtrace(output_pointer: str) -> list[tuple[int, ComponentRun]]:
    """`(level, ComponentRun)` for each run upstream of an output; level 0 is its producer."""
    return default_client().backtrace(output_pointer)


def web_trace(output_id: str) -> list[dict[str, Any]]:
    """The nested trace tree the original UI drew."""
    return default_client().web_trace(output_id)


def diff(a: str, b: str) -> TraceDiff:
    """What differs between the upstream traces of two outputs, the likely cause first (see `Client.diff`)."""
    return default_client().diff(a, b)


def compare(run_ids: list[int], points: int = DEFAULT_POINTS) -> Comparison:
    """Runs (2 to 50) side by side, the rows that differ first, with their step series (see `Client.compare`)."""
    return default_client().compare(run_ids, points)


def review_flagged_outputs() -> tuple[list[str], list[tuple[ComponentRun, int]]]:
    """`(flagged output ids, [(run, count), …])`, the runs most likely at fault first."""
    client = default_client()
    result = client.review(limit=10_000)
    runs = client.whole([run for run, *_ in result["runs"]])
    counts = [count for _run, count, *_ in result["runs"]]
    return result["flagged"], list(zip(runs, counts, strict=True))


def parse_time(value: datetime | str | None) -> datetime | None:
    """An ISO 8601 timestamp (naive means UTC) as an aware datetime."""
    if value is None or value == "":
        return None
    try:
        return utc(value) if isinstance(value, datetime) else parse_utc(value)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
