"""Makes free-form values (params, metrics, test results) storable as strict JSON."""

from __future__ import annotations

import math
from typing import Any


def strict_json(value: Any) -> Any:
    """The value with NaN/±Infinity as the strings "NaN"/"Infinity"/"-Infinity", tuples as lists,
    and anything else JSON cannot hold as its `str`."""
    if not value and isinstance(value, (dict, list)):
        return type(value)()
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [strict_json(v) for v in value]
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return strict_json(item())
        except (TypeError, ValueError):
            pass
    return str(value)
