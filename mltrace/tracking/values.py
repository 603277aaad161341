"""`log_params` and `log_metrics`: values recorded with the decorated call that is running."""

from __future__ import annotations

import logging
import operator
from typing import Any

from mltrace.entities.series import MAX_STEP, MIN_STEP, to_float
from mltrace.entities.times import now_utc
from mltrace.tracking import context

log = logging.getLogger("mltrace")


def log_params(params: dict[str, Any] | None = None, **more: Any) -> None:
    """Records parameters (e.g. hyperparameters) with the decorated call running in this thread."""
    _add("params", {**(params or {}), **more})


def log_metrics(metrics: dict[str, Any] | None = None, step: int | None = None, **more: Any) -> None:
    """Records metrics (e.g. accuracy) with the decorated call running in this thread.

    With `step` (an integer: an epoch, a batch), each value is a point of that metric's series, logged now; a later
    point at the same step replaces it, and the value at the highest step is the run's value of the metric. Series
    values are numbers (booleans count as 0/1; NaN and ±Infinity are kept); anything else is recorded as the run's
    value, without the step.
    """
    values = {**(metrics or {}), **more}
    if step is None:
        _add("metrics", values)
        return
    run = context.current()
    if run is None:
        log.warning("mltrace: log_metrics called outside a decorated function; %s not recorded", sorted(values))
        return
    try:
        if isinstance(step, bool):
            raise TypeError("a boolean")
        step = operator.index(step)
    except TypeError:
        log.warning("mltrace: log_metrics step %r is not an integer; %s not recorded", step, sorted(values))
        return
    if not MIN_STEP <= step <= MAX_STEP:
        log.warning("mltrace: log_metrics step %d is not a 64-bit integer; %s not recorded", step, sorted(values))
        return
    logged = now_utc()
    for key, value in values.items():
        number = to_float(value)
        if number is None:
            log.warning("mltrace: metric %r at step %d is not a number; recorded as the run's value", key, step)
            run.metrics[key] = value
        else:
            run.series.setdefault(str(key), {})[step] = (number, logged)


def _add(kind: str, values: dict[str, Any]) -> None:
    run = context.current()
    if run is None:
        log.warning("mltrace: log_%s called outside a decorated function; %s not recorded", kind, sorted(values))
        return
    getattr(run, kind).update(values)
