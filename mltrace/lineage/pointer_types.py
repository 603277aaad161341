"""Infers an IOPointer's type from its name."""

from __future__ import annotations

import re

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
_MODEL_PATTERN = re.compile("|".join(map(re.escape, _MODEL_HINTS)))
_DATA_PATTERN = re.compile("|".join(map(re.escape, _DATA_HINTS)))


def infer_pointer_type(name: str, endpoint: bool = False) -> PointerType:
    """`endpoint` outputs are endpoints; otherwise a model or data file by its name, else unknown."""
    if endpoint:
        return PointerType.ENDPOINT
    lowered = name.lower()
    if _MODEL_PATTERN.search(lowered):
        return PointerType.MODEL
    if _DATA_PATTERN.search(lowered):
        return PointerType.DATA
    return PointerType.UNKNOWN
