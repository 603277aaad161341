"""Infers an IOPointer's type from its name."""

from __future__ import annotations

from mltrace.entities import PointerType

_MODEL_HINTS = ("model", ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".h5", ".onnx", ".ckpt", "checkpoint", "weights")
_DATA_HINTS = (
    ".csv",
    ".parquet",
    ".json",
    ".jsonl",
    ".tsv",
    ".txt",
    ".feather",
    ".arrow",
    ".npy",
    ".npz",
    ".avro",
    "data",
    "dataset",
    "table",
    "features",
    "s3://",
    "gs://",
    "/",
)


def infer_pointer_type(name: str, endpoint: bool = False) -> PointerType:
    """`endpoint` outputs are endpoints; otherwise a model or data file by its name, else unknown."""
    if endpoint:
        return PointerType.ENDPOINT
    lowered = name.lower()
    if any(hint in lowered for hint in _MODEL_HINTS):
        return PointerType.MODEL
    if any(hint in lowered for hint in _DATA_HINTS):
        return PointerType.DATA
    return PointerType.UNKNOWN
