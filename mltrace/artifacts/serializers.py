"""How `mltrace.save` turns an object into bytes and `mltrace.load` back: pickle (the default), joblib, raw bytes, JSON.

Unpickling (pickle and joblib) runs code named in the bytes: load only artifacts your team wrote.
"""

from __future__ import annotations

import json
import pickle
from typing import Any, BinaryIO, Protocol

DEFAULT = "pickle"


class Serializer(Protocol):
    """Writes an object to a binary file, and reads it back."""

    def dump(self, obj: Any, file: BinaryIO) -> None: ...
    def load(self, file: BinaryIO) -> Any: ...


class PickleSerializer:
    """Any object pickle can save (protocol 5: large buffers are written without a copy)."""

    def dump(self, obj: Any, file: BinaryIO) -> None:
        pickle.dump(obj, file, protocol=5)

    def load(self, file: BinaryIO) -> Any:
        return pickle.load(file)


class JoblibSerializer:
    """joblib's format, efficient for NumPy arrays and scikit-learn models (needs joblib installed)."""

    def dump(self, obj: Any, file: BinaryIO) -> None:
        import joblib

        joblib.dump(obj, file)

    def load(self, file: BinaryIO) -> Any:
        import joblib

        return joblib.load(file)


class BytesSerializer:
    """`bytes`, `bytearray` or `memoryview` stored as they are; loaded as `bytes`."""

    def dump(self, obj: Any, file: BinaryIO) -> None:
        if not isinstance(obj, (bytes, bytearray, memoryview)):
            raise TypeError(f"serializer='bytes' stores bytes, bytearray or memoryview, not {type(obj).__name__}")
        file.write(obj)

    def load(self, file: BinaryIO) -> Any:
        return file.read()


class JsonSerializer:
    """JSON text in UTF-8, keys sorted, so that equal values give equal bytes (and one blob)."""

    def dump(self, obj: Any, file: BinaryIO) -> None:
        file.write(json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8"))

    def load(self, file: BinaryIO) -> Any:
        return json.loads(file.read().decode("utf-8"))


SERIALIZERS: dict[str, Serializer] = {
    "pickle": PickleSerializer(),
    "joblib": JoblibSerializer(),
    "bytes": BytesSerializer(),
    "json": JsonSerializer(),
}


def serializer_named(name: str) -> Serializer:
    """The serializer called `name`; ValueError naming the choices otherwise."""
    try:
        return SERIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"serializer must be one of {', '.join(SERIALIZERS)}, not {name!r}") from None
