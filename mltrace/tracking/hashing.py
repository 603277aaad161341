"""Value hashes: content hashes of in-memory objects and cheap fingerprints of files.

A content hash is the BLAKE2b of a canonical encoding, so equal content gives the same hash in every
process (whatever PYTHONHASHSEED, dict insertion order or memory addresses):

- None, bool, int, float, complex, str, bytes, bytearray, memoryview: by value and type;
- list, tuple, dict, set, frozenset (and their subclasses, with the class name): element by element,
  dicts by key and sets by element in a canonical order, not in insertion or iteration order;
- NumPy arrays: dtype, shape and data bytes (object and string arrays element by element), NumPy scalars;
- pandas DataFrame, Series and Index: column names, dtypes, index and values (numbers, dates, strings and
  categories vectorised, columns holding other objects, such as lists, element by element);
- classes and functions by their module and qualified name (as pickle saves them), not their code;
- any other object whose `__reduce_ex__` works (what pickle calls): by its class and the state pickle
  would save, encoded as above.

Everything else (open files, locks, sockets, generators, objects whose pickling fails, values nested more
than MAX_DEPTH levels) raises UnhashableValueError: an unstable hash would silently break lineage across
processes, so such a value gets no version rather than a wrong one.
"""

from __future__ import annotations

import copyreg
import hashlib
import os
import struct
import sys
from types import FunctionType
from typing import Any

from mltrace.artifacts import known_files

MAX_DEPTH = 100  # levels of nesting encoded; deeper values are unhashable (and Python's stack stays safe)


class UnhashableValueError(ValueError):
    """The value has no content encoding, so no hash that would be the same in another process."""


def content_hash(value: Any) -> str:
    """The hash of the value's canonical encoding: equal content, equal hash, in any process.

    Raises UnhashableValueError for a value without a content encoding (see the module's docstring).
    """
    digest = hashlib.blake2b(digest_size=16)
    try:
        _Encoder(digest).feed(value, 0)
    except UnhashableValueError:
        raise
    except RecursionError:
        raise UnhashableValueError("it is nested too deeply to encode") from None
    except Exception as exc:  # a failing __reduce_ex__, __iter__, pandas or NumPy conversion
        raise UnhashableValueError(f"encoding it failed ({type(exc).__name__}: {exc})") from None
    return digest.hexdigest()


class _Encoder:
    """Feeds the canonical encoding of values to a digest: a tag, then lengths and contents."""

    def __init__(self, digest: Any) -> None:
        self.digest = digest
        self.ancestors: list[int] = []  # ids of the containers being encoded, to spot a value inside itself

    def feed(self, value: Any, depth: int) -> None:
        kind = type(value)
        if kind is str:
            self._bytes(b"s", value.encode("utf-8", "surrogatepass"))
        elif kind is int:
            self._bytes(b"i", value.to_bytes(value.bit_length() // 8 + 1, "little", signed=True))
        elif kind is float:
            self.digest.update(b"f" + struct.pack("<d", value))
        elif kind is bool:
            self.digest.update(b"T" if value else b"F")
        elif value is None:
            self.digest.update(b"N")
        elif depth >= MAX_DEPTH:
            raise UnhashableValueError(f"it nests more than {MAX_DEPTH} levels deep")
        elif id(value) in self.ancestors:
            self._text(b"@", str(self.ancestors[::-1].index(id(value))))  # a reference to an enclosing value
        else:
            self.ancestors.append(id(value))
            try:
                self._feed_other(value, depth + 1)
            finally:
                self.ancestors.pop()

    def _feed_other(self, value: Any, depth: int) -> None:
        module = type(value).__module__.partition(".")[0]
        if module == "numpy":
            self._numpy(value, depth)
        elif module == "pandas":
            self._pandas(value, depth)
        elif isinstance(value, (list, tuple)):
            self._text(b"L", _type_name(value))
            self._text(b"#", str(len(value)))
            for item in value:
                self.feed(item, depth)
        elif isinstance(value, dict):
            self._text(b"D", _type_name(value))
            self._text(b"#", str(len(value)))
            pairs = sorted(((self._sub_digest(k, depth), v) for k, v in value.items()), key=lambda pair: pair[0])
            for key_digest, item in pairs:
                self.digest.update(key_digest)
                self.feed(item, depth)
        elif isinstance(value, (set, frozenset)):
            self._text(b"E", _type_name(value))
            self._text(b"#", str(len(value)))
            for element_digest in sorted(self._sub_digest(v, depth) for v in value):
                self.digest.update(element_digest)
        elif isinstance(value, (str, int, float, complex, bytes, bytearray, memoryview)):
            self._text(b"S", _type_name(value))  # a builtin scalar or a subclass of one (IntEnum, …)
            self._scalar(value)
        elif isinstance(value, (type, FunctionType)):  # pickle saves these by name
            self._text(b"G", _qualified_name(value))
        else:
            self._reduced(value, depth)

    def _scalar(self, value: Any) -> None:
        if isinstance(value, (bytes, bytearray, memoryview)):
            self._bytes(b"b", bytes(value))
        elif isinstance(value, complex):
            self.digest.update(b"c" + struct.pack("<dd", value.real, value.imag))
        elif isinstance(value, bool):
            self.digest.update(b"T" if value else b"F")
        elif isinstance(value, str):
            self._bytes(b"s", str.encode(value, "utf-8", "surrogatepass"))
        elif isinstance(value, int):
            number = int(value)
            self._bytes(b"i", number.to_bytes(number.bit_length() // 8 + 1, "little", signed=True))
        else:
            self.digest.update(b"f" + struct.pack("<d", float(value)))

    def _numpy(self, value: Any, depth: int) -> None:
        np = sys.modules["numpy"]
        if isinstance(value, (np.ndarray, np.generic)):
            dtype = value.dtype
            self._text(b"A", f"{_type_name(value)}|{dtype.str}|{dtype}|{value.shape}")
            if dtype.hasobject or dtype.kind == "T":  # the array holds pointers to objects: encode the objects
                self.feed(value.tolist(), depth)
            else:
                self._bytes(b"b", value.tobytes())
        else:
            self._reduced(value, depth)

    def _pandas(self, value: Any, depth: int) -> None:
        pd = sys.modules["pandas"]
        if isinstance(value, pd.DataFrame):
            self._text(b"P", _type_name(value))
            self._pandas_index(value.columns, depth)
            self._pandas_index(value.index, depth)
            for position in range(value.shape[1]):
                self._pandas_values(value.iloc[:, position], depth)
        elif isinstance(value, pd.Series):
            self._text(b"P", _type_name(value))
            self.feed(value.name, depth)
            self._pandas_index(value.index, depth)
            self._pandas_values(value, depth)
        elif isinstance(value, pd.Index):
            self._pandas_index(value, depth)
        else:
            self._reduced(value, depth)

    def _pandas_index(self, index: Any, depth: int) -> None:
        self._text(b"I", _type_name(index))
        self.feed(list(index.names), depth)
        levels = [index.get_level_values(i) for i in range(index.nlevels)] if index.nlevels > 1 else [index]
        for level in levels:
            self._pandas_values(level, depth)

    def _pandas_values(self, values: Any, depth: int) -> None:
        """One column or index level: pandas' own hashing where it hashes the values themselves, else the
        values one by one (it hashes other objects by their `str`, which can hold a memory address)."""
        pd = sys.modules["pandas"]
        dtype = values.dtype
        self._text(b"V", f"{len(values)}|{dtype}")
        if isinstance(dtype, pd.CategoricalDtype):
            self._pandas_index(dtype.categories, depth)
            self.feed(bool(dtype.ordered), depth)
            self._bytes(b"b", pd.Categorical(values).codes.tobytes())
        elif dtype.kind in "biufcmM" or isinstance(dtype, pd.StringDtype) or _only_text(values):
            self._bytes(b"h", pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes())
        else:
            self.feed(values.tolist(), depth)

    def _reduced(self, value: Any, depth: int) -> None:
        """An object by what pickle would save of it: its class (or reconstructor), arguments and state."""
        reducer = copyreg.dispatch_table.get(type(value))  # where pickle looks first (NumPy's ufuncs, …)
        try:
            reduced = reducer(value) if reducer is not None else value.__reduce_ex__(4)
        except Exception as exc:
            raise UnhashableValueError(f"pickle cannot save it ({exc})") from None
        if isinstance(reduced, str):  # a module-level object (a builtin function, a singleton), saved by name
            self._text(b"G", f"{getattr(value, '__module__', None) or type(value).__module__}.{reduced}")
            return
        rebuild, arguments, state, list_items, dict_items = (*reduced, None, None, None, None)[:5]
        self.digest.update(b"R")
        self.feed(rebuild, depth)
        self.feed(arguments, depth)
        self.feed(state, depth)
        self.feed(None if list_items is None else list(list_items), depth)
        self.feed(None if dict_items is None else dict(dict_items), depth)

    def _sub_digest(self, value: Any, depth: int) -> bytes:
        """The digest of one key or set element on its own, by which a dict or set is put in canonical order."""
        encoder = _Encoder(hashlib.blake2b(digest_size=16))
        encoder.ancestors = self.ancestors
        encoder.feed(value, depth)
        return bytes(encoder.digest.digest())

    def _text(self, tag: bytes, text: str) -> None:
        self._bytes(tag, text.encode("utf-8", "surrogatepass"))

    def _bytes(self, tag: bytes, data: bytes) -> None:
        self.digest.update(tag + len(data).to_bytes(8, "little"))
        self.digest.update(data)


def _type_name(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _qualified_name(value: type | FunctionType) -> str:
    """`module.qualname`, which the same code gives in every process; a lambda adds its line to tell it
    from the other lambdas of its scope."""
    name = f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, FunctionType) and value.__name__ == "<lambda>":
        name += f":{value.__code__.co_firstlineno}"
    return name


def _only_text(values: Any) -> bool:
    from pandas.api.types import infer_dtype

    return values.dtype == object and infer_dtype(values, skipna=True) in ("string", "bytes", "empty")


def file_fingerprint(path: str | os.PathLike[str]) -> str | None:
    """A version marker of a file from its size and modification time (the SHA-256 of its bytes when this process
    stored or restored them unchanged as an artifact, `artifacts/known_files.py`); None if it does not exist."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return known_files.digest_of(path, st.st_size, st.st_mtime_ns) or f"f{st.st_size:x}-{st.st_mtime_ns:x}"


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
