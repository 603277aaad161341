"""Value hashes: content hashes of in-memory objects and cheap fingerprints of files."""

from __future__ import annotations

import hashlib
import os
import pickle
from typing import Any


def content_hash(value: Any) -> str:
    """A hash of the value's content (not its `repr`): equal content, equal hash."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(type(value).__qualname__.encode())
    _feed(digest, value)
    return digest.hexdigest()


def _feed(digest: Any, value: Any) -> None:
    module = type(value).__module__
    if isinstance(value, (bytes, bytearray, memoryview)):
        digest.update(bytes(value))
    elif isinstance(value, str):
        digest.update(value.encode("utf-8", "surrogatepass"))
    elif module.startswith("pandas") and hasattr(value, "to_numpy"):
        import pandas as pd

        digest.update(repr(getattr(value, "columns", getattr(value, "name", ""))).encode())
        digest.update(repr(list(getattr(value, "dtypes", [getattr(value, "dtype", "")]))).encode())
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif module.startswith("numpy") and hasattr(value, "tobytes"):
        digest.update(f"{value.dtype}{value.shape}".encode())
        digest.update(value.tobytes())
    else:
        try:
            digest.update(pickle.dumps(value, protocol=5))
        except Exception:  # unpicklable: the best stable description we have
            digest.update(repr(value).encode("utf-8", "replace"))


def file_fingerprint(path: str | os.PathLike[str]) -> str | None:
    """A version marker of a file from its size and modification time; None if it does not exist."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return f"f{st.st_size:x}-{st.st_mtime_ns:x}"


def file_content_hash(path: str | os.PathLike[str]) -> str | None:
    """A hash of a file's bytes; None if it cannot be read."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()
