"""Steps marked `cache=True`: a call whose key matches a successful earlier run returns that run's stored result
without running the body, and is recorded as a run with status `cached` pointing at the run it reused.

The contract: a cached step is deterministic. Its result depends only on its code, its arguments (compared by
content; a path to a file, by the file's bytes) and its declared params; anything else it reads (the clock, the
network, a file it opens by a name it builds) is not part of the key, and a changed one goes unseen.

On a miss the body runs as usual and its result is pickled into the artifact store with the run. On a hit the
earlier run's inputs, outputs, params and metrics are recorded again (the same versions, so lineage resolves to
the same dependencies), files it stored with `log_artifact` are put back where they were if missing or changed,
and the result is read back verified. Anything that goes wrong in this (the database down, a blob missing or
corrupt) runs the body instead: caching never breaks a pipeline. `MLTRACE_CACHE=off` runs every call.
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mltrace import client as client_module
from mltrace.artifacts import known_files
from mltrace.artifacts.blobs import BlobStore
from mltrace.artifacts.serializers import DEFAULT, serializer_named
from mltrace.config import cache_enabled
from mltrace.entities import ComponentRun, IOPointer, new_run_key
from mltrace.entities.artifact import ArtifactRef, CacheEntry, StoredCacheEntry
from mltrace.entities.times import now_utc
from mltrace.errors import MissingDatabaseError, StoreUnreachableError
from mltrace.tracking import context
from mltrace.tracking.cache_key import CallKey, NotCacheableError, call_key, changed_parts, file_digest
from mltrace.tracking.call import Call, Step

log = logging.getLogger("mltrace")


@dataclass
class _Earlier:
    """A successful run with a key, as a hit reuses it."""

    run_key: str
    run_id: int | None
    result_digest: str | None
    result_serializer: str
    artifacts: list[ArtifactRef]
    inputs: list[IOPointer]
    outputs: list[IOPointer]
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)


# This process's own successful cached runs, by (store, artifact store, key): found at once, before their runs reach
# the database, and without asking it.
_mine: dict[tuple[str, str, str], _Earlier] = {}
_latest_mine: dict[tuple[str, str, str], _Earlier] = {}  # by (store, artifact store, component), for `cache_plan`
_lock = threading.Lock()


def cached_wrapper(
    step: Step,
    body: Callable[..., Any],
    func: Callable[..., Any],
    plain: Callable[..., Any],
    plain_async: Callable[..., Any],
) -> Callable[..., Any]:
    """The wrapper of a step marked cache=True (`plain`/`plain_async`: the usual wrappers, for MLTRACE_CACHE=off)."""
    if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
        raise TypeError("cache=True needs a function that returns its result, not a generator")
    cached = CachedStep(step)
    if inspect.iscoroutinefunction(func):

        async def coroutine_wrapper(*args: Any, **kwargs: Any) -> Any:
            if not cache_enabled():
                return await plain_async(*args, **kwargs)
            found, key = cached.look_up(args, kwargs)
            if found is not None:
                return found[0]
            call = Call(step, args, kwargs)
            token = cached.enter(call)
            try:
                value = await body(*args, **kwargs)
            except BaseException as exc:
                cached.leave(token)
                call.finish(exc)
                raise
            cached.leave(token)
            return cached.finish(call, key, value)

        wrapper: Callable[..., Any] = coroutine_wrapper
    else:

        def function_wrapper(*args: Any, **kwargs: Any) -> Any:
            if not cache_enabled():
                return plain(*args, **kwargs)
            found, key = cached.look_up(args, kwargs)
            if found is not None:
                return found[0]
            call = Call(step, args, kwargs)
            token = cached.enter(call)
            try:
                value = body(*args, **kwargs)
            except BaseException as exc:
                cached.leave(token)
                call.finish(exc)
                raise
            cached.leave(token)
            return cached.finish(call, key, value)

        wrapper = function_wrapper
    wrapper.__mltrace_cached__ = cached  # type: ignore[attr-defined]
    return wrapper


class CachedStep:
    """One decorated function marked cache=True: its keys, lookups, and the runs of its hits."""

    def __init__(self, step: Step) -> None:
        self.step = step

    # --- a call -----------------------------------------------------------------
    def look_up(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any] | None, CallKey | str]:
        """`((result,), key)` on a hit (its run recorded); `(None, key)` on a miss, `(None, why)` when the call has
        no key. Never raises: a failure here is a miss."""
        started = now_utc()
        try:
            key = self.key(args, kwargs)
        except NotCacheableError as exc:
            return None, str(exc)
        except Exception as exc:
            log.exception("mltrace: could not compute the cache key of a call of %s", self.step.spec.component)
            return None, f"its key could not be computed ({type(exc).__name__})"
        try:
            client = client_module.default_client()
            store = client.artifact_store
            for earlier in self.earlier_runs(client, store, key.key):
                found = self._reuse(store, earlier, key, started)
                if found is not None:
                    return found, key
        except Exception:
            log.exception("mltrace: the cache lookup of %s failed; running it", self.step.spec.component)
        return None, key

    def key(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CallKey:
        """The key of a call with these arguments (NotCacheableError when it has none)."""
        return call_key(self.step.spec, self.step.code_hash, _bound(self.step, args, kwargs))

    def enter(self, call: Call) -> Any:
        """Makes the call's run the running one (for `save`, `log_params` and the like in the body)."""
        return context.enter(call.run)

    def leave(self, token: Any) -> None:
        context.leave(token)

    def finish(self, call: Call, key: CallKey | str, value: Any) -> Any:
        """After a miss whose body returned: stores the result with the run's key, records the run, returns `value`
        (or raises an after-test's failure, as the usual wrapper does)."""
        store: BlobStore | None = None
        if isinstance(key, str):
            call.note(f"This call of '{self.step.spec.component}' was not cached: {key}.")
        else:
            try:
                store = client_module.default_client().artifact_store
                blob = store.put(lambda file: serializer_named(DEFAULT).dump(value, file))
                call.run.cache = CacheEntry(key.key, dict(key.parts), blob.digest, DEFAULT)
            except Exception as exc:
                call.note(
                    f"The result of '{self.step.spec.component}' could not be stored ({type(exc).__name__}: {exc})."
                )
        failure = call.finish(None)
        record = call.record
        if store is not None and record is not None and record.status == "success" and record.cache is not None:
            self._remember(store, record)
        if failure is not None:
            raise failure
        return value

    # --- earlier runs -------------------------------------------------------------
    def earlier_runs(self, client: Any, store: BlobStore, key: str) -> Iterator[_Earlier]:
        """Successful runs with this key, newest first: this process's own first, then (only if asked for more) the
        store's; a store that cannot be asked has none."""
        with _lock:
            mine = _mine.get((_target(client), store.location, key))
        if mine is not None:
            yield mine
        try:
            stored = client.cache_hits(key)
        except (MissingDatabaseError, StoreUnreachableError) as exc:
            log.info("mltrace: no cache lookup of %s in the store (%s)", self.step.spec.component, exc)
            return
        yield from (_from_stored(entry) for entry in stored if entry.run is not None)

    def missing_blobs(self, store: BlobStore, earlier: _Earlier) -> list[str]:
        """What of an earlier run is no longer in the artifact store (its result, stored outputs by name)."""
        missing = []
        if earlier.result_digest is not None and not store.has(earlier.result_digest):
            missing.append("its result")
        missing += [f"'{ref.name}'" for ref in earlier.artifacts if not store.has(ref.digest)]
        return missing

    def _reuse(self, store: BlobStore, earlier: _Earlier, key: CallKey, started: Any) -> tuple[Any] | None:
        if earlier.result_digest is None or self.missing_blobs(store, earlier):
            self._forget(store, key.key, earlier)
            return None
        component = self.step.spec.component
        try:
            _put_back_files(store, earlier.artifacts)
            with store.open(earlier.result_digest, label=f"result of {component}") as source:
                value = serializer_named(earlier.result_serializer).load(source)
        except Exception as exc:
            _warn(f"mltrace: the earlier result of '{component}' cannot be used ({exc}); running it again.")
            self._forget(store, key.key, earlier)
            return None
        self._record_hit(earlier, key, started)
        return (value,)

    def _record_hit(self, earlier: _Earlier, key: CallKey, started: Any) -> None:
        spec, step = self.step.spec, self.step
        run = ComponentRun(
            component_name=spec.component,
            start_timestamp=started,
            end_timestamp=now_utc(),
            status="cached",
            inputs=[IOPointer(p.name, p.pointer_type, p.value_hash) for p in earlier.inputs],
            outputs=[IOPointer(p.name, p.pointer_type, p.value_hash) for p in earlier.outputs],
            code_snapshot=step.code_snapshot,
            code_hash=step.code_hash,
            params=dict(earlier.params),
            metrics=dict(earlier.metrics),
            staleness_threshold_s=spec.staleness_threshold_s,
            component_owner=spec.owner,
            component_description=spec.description,
            component_tags=list(spec.tags),
            key=new_run_key(),
            artifacts=list(earlier.artifacts),
            cache=CacheEntry(
                key.key, dict(key.parts), earlier.result_digest, earlier.result_serializer, earlier.run_key
            ),
        )
        try:
            client_module.default_client().submit(run)
        except Exception:
            log.exception("mltrace: could not record a cached run of %s", spec.component)

    def _remember(self, store: BlobStore, record: ComponentRun) -> None:
        assert record.cache is not None
        earlier = _Earlier(
            run_key=record.key,
            run_id=None,
            result_digest=record.cache.result_digest,
            result_serializer=record.cache.result_serializer or DEFAULT,
            artifacts=list(record.artifacts),
            inputs=list(record.inputs),
            outputs=list(record.outputs),
            params=dict(record.params),
            metrics=dict(record.metrics),
            parts=dict(record.cache.parts),
        )
        target = _target(client_module.default_client())
        with _lock:
            _mine[target, store.location, record.cache.key] = earlier
            _latest_mine[target, store.location, record.component_name] = earlier

    def _forget(self, store: BlobStore, key: str, earlier: _Earlier) -> None:
        target = _target(client_module.default_client())
        with _lock:
            if _mine.get((target, store.location, key)) is earlier:
                del _mine[target, store.location, key]


# --- the dry run ----------------------------------------------------------------------


@dataclass(frozen=True)
class CachePlan:
    """What a call of a cached step would do, found without running anything."""

    hit: bool
    reason: str  # why it would hit or run, for a person
    changed: list[str] = field(default_factory=list)  # the parts of the key that differ from the latest run's
    key: str | None = None
    reused_run_id: int | None = None

    def __str__(self) -> str:
        return self.reason


def cache_plan(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> CachePlan:
    """Whether `fn(*args, **kwargs)` would return an earlier result, and if not why not (which part of its key
    changed since the component's latest run with a key), without running anything (MerkL's dry run)."""
    cached: CachedStep | None = getattr(fn, "__mltrace_cached__", None)
    if cached is None:
        raise TypeError("cache_plan takes a function decorated with cache=True")
    component = cached.step.spec.component
    if not cache_enabled():
        return CachePlan(False, "MLTRACE_CACHE=off: every call runs.")
    try:
        key = cached.key(args, kwargs)
    except NotCacheableError as exc:
        return CachePlan(False, f"It would run: {exc}.")
    client = client_module.default_client()
    store = client.artifact_store
    gone: list[str] = []
    for earlier in cached.earlier_runs(client, store, key.key):
        missing = cached.missing_blobs(store, earlier)
        if earlier.result_digest is not None and not missing:
            reused = f"run {earlier.run_id}" if earlier.run_id is not None else "a run of this process"
            return CachePlan(True, f"It would return the result of {reused}.", [], key.key, earlier.run_id)
        gone = [f"{', '.join(missing)} of run {earlier.run_id or '(this process)'}"]
    if gone:
        return CachePlan(False, f"It would run: {gone[0]} missing from the artifact store.", [], key.key)
    with _lock:
        latest = _latest_mine.get((_target(client), store.location, component))
    if latest is None:
        try:
            stored = client.latest_cache_entry(component)
        except MissingDatabaseError:
            stored = None
        latest = _from_stored(stored) if stored is not None else None
    if latest is None:
        return CachePlan(False, f"It would run: no earlier run of '{component}' recorded a cache key.", [], key.key)
    changed = changed_parts(latest.parts, key.parts)
    since = f"run {latest.run_id}" if latest.run_id is not None else "its latest run in this process"
    what = ", ".join(changed) if changed else "nothing in its key (that run did not succeed)"
    return CachePlan(False, f"It would run: {what} changed since {since}.", changed, key.key)


# --- helpers ------------------------------------------------------------------------------


def _from_stored(entry: StoredCacheEntry) -> _Earlier:
    run = entry.run
    return _Earlier(
        run_key=entry.run_key,
        run_id=entry.run_id,
        result_digest=entry.entry.result_digest,
        result_serializer=entry.entry.result_serializer or DEFAULT,
        artifacts=list(entry.artifacts),
        inputs=list(run.inputs) if run is not None else [],
        outputs=list(run.outputs) if run is not None else [],
        params=dict(run.params) if run is not None else {},
        metrics=dict(run.metrics) if run is not None else {},
        parts=dict(entry.entry.parts),
    )


def _put_back_files(store: BlobStore, artifacts: list[ArtifactRef]) -> None:
    """Files an earlier run stored with `log_artifact` are written back where they were if missing or changed."""
    for ref in artifacts:
        if ref.serializer != "file":
            continue
        try:
            same = os.path.getsize(ref.name) == ref.size and file_digest(ref.name) == ref.digest
        except OSError:
            same = False
        if not same:
            store.get_to_path(ref.digest, ref.name, label=ref.name)
        known_files.remember(ref.name, ref.digest)


def _bound(step: Step, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    if step.signature is None:
        return {**{f"#{i}": a for i, a in enumerate(args)}, **kwargs}
    bound = step.signature.bind(*args, **kwargs)  # a TypeError here is the caller's: the body would raise it too
    bound.apply_defaults()
    return dict(bound.arguments)


def _target(client: Any) -> str:
    return client.server_url or client.db_uri


def _warn(message: str) -> None:
    try:
        warnings.warn(message, UserWarning, stacklevel=4)
    except Exception:
        log.warning(message)
