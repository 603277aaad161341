"""`open_blob_store`: the blob store a URI names: a plain path or `file://` URL is a local folder, any other URL an
fsspec file system (credentials and endpoints come from that library's own configuration)."""

from __future__ import annotations

import threading
from urllib.parse import unquote, urlparse

from mltrace.artifacts.blobs import BlobStore
from mltrace.artifacts.folders import FsspecFolder, LocalFolder

_opened: dict[str, BlobStore] = {}
_lock = threading.Lock()


def open_blob_store(uri: str) -> BlobStore:
    """The blob store at `uri` (one per URI in a process: an fsspec file system keeps its connections)."""
    with _lock:
        store = _opened.get(uri)
        if store is None:
            store = _opened[uri] = BlobStore(_folder(uri))
        return store


def _folder(uri: str) -> LocalFolder | FsspecFolder:
    if "://" not in uri:
        return LocalFolder(uri)
    parsed = urlparse(uri)
    if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
        return LocalFolder(unquote(parsed.path))
    return FsspecFolder(uri)
