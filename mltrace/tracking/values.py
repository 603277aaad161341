"""`log_params` and `log_metrics`: numbers recorded with the decorated call that is running."""

from __future__ import annotations

import logging
from typing import Any

from mltrace.tracking import context

log = logging.getLogger("mltrace")


def log_params(params: dict[str, Any] | None = None, **more: Any) -> None:
    """Records parameters (e.g. hyperparameters) with the decorated call running in this thread."""
    _add("params", {**(params or {}), **more})


def log_metrics(metrics: dict[str, Any] | None = None, **more: Any) -> None:
    """Records metrics (e.g. accuracy) with the decorated call running in this thread."""
    _add("metrics", {**(metrics or {}), **more})


def _add(kind: str, values: dict[str, Any]) -> None:
    run = context.current()
    if run is None:
        log.warning("mltrace: log_%s called outside a decorated function; %s not recorded", kind, sorted(values))
        return
    getattr(run, kind).update(values)
