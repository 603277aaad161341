"""`save` and `load`: pickle objects to files and record them as outputs/inputs of the running step."""

from __future__ import annotations

import os
import pickle
from typing import Any

from mltrace.entities import IOPointer
from mltrace.tracking import context
from mltrace.tracking.hashing import file_content_hash


def save(obj: Any, pathname: str | os.PathLike[str]) -> None:
    """Pickles `obj` to `pathname`; inside a decorated call, records it as an output."""
    with open(pathname, "wb") as handle:
        pickle.dump(obj, handle)
    run = context.current()
    if run is not None:
        run.outputs.append(IOPointer(os.fspath(pathname), value_hash=file_content_hash(pathname)))


def load(pathname: str | os.PathLike[str]) -> Any:
    """Unpickles `pathname`; inside a decorated call, records it as an input."""
    with open(pathname, "rb") as handle:
        obj = pickle.load(handle)
    run = context.current()
    if run is not None:
        run.inputs.append(IOPointer(os.fspath(pathname), value_hash=file_content_hash(pathname)))
    return obj
