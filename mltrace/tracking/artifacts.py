"""`save`, `load` and `log_artifact`: objects and files kept in the artifact store, recorded as outputs and inputs of
the running step.

A saved artifact is an output named as the caller says whose value hash is the SHA-256 of its bytes, so a trace that
leads to `models/model.pkl` version `ab12…` leads to bytes `mltrace.load("ab12…")` returns. Unpickling (the default
serializer, and joblib) runs code named in the bytes: load only artifacts your team wrote.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
import time
from dataclasses import dataclass
from typing import Any

from mltrace import client as client_module
from mltrace.artifacts import known_files
from mltrace.artifacts.blobs import Blob, BlobStore
from mltrace.artifacts.digests import copy_hashing, is_digest
from mltrace.artifacts.serializers import DEFAULT, serializer_named
from mltrace.entities import IOPointer
from mltrace.entities.artifact import ArtifactRef
from mltrace.entities.limits import fit_pointer_name
from mltrace.errors import ArtifactMissingError, NotFoundError, StoreUnreachableError
from mltrace.tracking import context

log = logging.getLogger("mltrace")


def save(obj: Any, name: str | os.PathLike[str] | None = None, serializer: str = DEFAULT) -> str:
    """Stores `obj` in the artifact store and, inside a decorated call, records it as an output named `name`
    (the original's `save(obj, pathname)` call form); returns the SHA-256 of the stored bytes.

    `serializer` is `pickle` (the default), `joblib`, `bytes` (bytes as they are) or `json`. The same bytes are
    stored once: saving an unchanged object again costs a hash, not a write. No file is written at `name`:
    `mltrace.load(name)` or `mltrace artifacts get NAME -o PATH` brings the object back.
    """
    chosen = serializer_named(serializer)
    store = _store()
    blob = store.put(lambda file: chosen.dump(obj, file))
    label = os.fspath(name) if name is not None else f"sha256:{blob.digest}"
    _record_output(label, blob, serializer)
    return blob.digest


def log_artifact(path: str | os.PathLike[str], name: str | None = None) -> str:
    """Stores the file at `path` in the artifact store (read and written a chunk at a time) and, inside a decorated
    call, records it as an output named `name` (default: `path` as given); returns the SHA-256 of its bytes."""
    blob = _store().put_file(path)
    known_files.remember(path, blob.digest)
    _record_output(name if name is not None else os.fspath(path), blob, "file")
    return blob.digest


def load(name_or_hash: str | os.PathLike[str], serializer: str | None = None) -> Any:
    """The object saved under a name (its latest version) or exactly by its SHA-256; inside a decorated call, records
    it as an input. Its bytes are verified first: CorruptArtifactError if they changed, ArtifactMissingError if they
    are gone.

    Unpickling runs code named in the bytes: load only artifacts your team wrote. A name the store does not know
    that is a file on disk is read from the file, as the original `load(pathname)` did (joblib or pickle).
    `serializer` overrides the one the artifact was saved with.
    """
    wanted = os.fspath(name_or_hash)
    found = _find(wanted)
    if found is None:
        return _load_file(wanted, serializer)
    store = _store()
    chosen = serializer_named(serializer or found.serializer)
    with store.open(found.digest, label=found.name) as source:
        value = chosen.load(source)
    _record_input(found.name, found.digest)
    return value


# --- what this process saved, and finding an artifact -----------------------------------


@dataclass(frozen=True)
class _Saved:
    name: str
    digest: str
    serializer: str
    at: float  # epoch seconds


_saved: dict[tuple[str, str], _Saved] = {}  # (artifact store, name) → this process's latest save of that name
_saved_lock = threading.Lock()


def _record_output(name: str, blob: Blob, serializer: str) -> None:
    fitted, _problem = fit_pointer_name(name)  # the name the run will carry (the run's warnings say why)
    with _saved_lock:
        _saved[_store().location, fitted] = _Saved(fitted, blob.digest, serializer, time.time())
    run = context.current()
    if run is not None:
        run.outputs.append(IOPointer(fitted, value_hash=blob.digest))
        run.artifacts.append(ArtifactRef(fitted, blob.digest, blob.size, serializer))


def _record_input(name: str, digest: str) -> None:
    run = context.current()
    if run is not None:
        run.inputs.append(IOPointer(fit_pointer_name(name)[0], value_hash=digest))


def _find(wanted: str) -> _Saved | None:
    """The artifact `wanted` names: exactly by digest, or the newest saved under that name by this process or by any
    run stored; None when neither knows it."""
    location = _store().location
    if is_digest(wanted):
        with _saved_lock:
            mine = next((s for (where, _), s in _saved.items() if where == location and s.digest == wanted), None)
        known = _stored(digest=wanted) or mine
        if known is None:  # bytes stored without a run (`mltrace track`): pickle, unless told otherwise
            return _Saved(f"sha256:{wanted}", wanted, DEFAULT, 0.0)
        return _Saved(known.name, wanted, known.serializer, 0.0)
    with _saved_lock:
        here = _saved.get((location, fit_pointer_name(wanted)[0]))
    stored = _stored(name=wanted)
    if here is not None and (stored is None or here.at >= stored.at):
        return here
    return stored


def _stored(name: str | None = None, digest: str | None = None) -> _Saved | None:
    """The newest stored artifact by that name or digest (None when the store is unreachable: what this process
    saved is still found)."""
    try:
        found = client_module.default_client().artifacts(name=name, digest=digest, limit=1)
    except (StoreUnreachableError, NotFoundError):
        return None
    except Exception:
        log.exception("mltrace: could not look up the artifact %r", name or digest)
        return None
    if not found:
        return None
    artifact = found[0]
    at = artifact.stored_at.timestamp() if artifact.stored_at is not None else 0.0
    return _Saved(artifact.name, artifact.digest, artifact.serializer, at)


def _load_file(path: str, serializer: str | None) -> Any:
    """The original `load(pathname)`: an object from a file on disk that the artifact store does not know."""
    if not os.path.isfile(path):
        raise ArtifactMissingError(
            f"no artifact named {path!r} in the artifact store {_store().location}, and no such file"
        )
    if serializer is not None:
        with open(path, "rb") as handle:
            value = serializer_named(serializer).load(handle)
    else:
        value = _joblib_or_pickle(path)
    with open(path, "rb") as handle:
        digest = copy_hashing(handle, None).hexdigest()
    _record_input(path, digest)
    return value


def _joblib_or_pickle(path: str) -> Any:
    try:
        import joblib
    except ImportError:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    return joblib.load(path)


def _store() -> BlobStore:
    return client_module.default_client().artifact_store
