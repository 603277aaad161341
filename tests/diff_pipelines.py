"""Pipelines for the trace diff's tests: a shared training run and ingest → clean → predict, with changes to plant."""

from __future__ import annotations

from typing import Any

from tests.factories import run

CLEAN_CODE = "def clean(batch):\n    rows = read(batch)\n    return [r for r in rows if r.ok]\n"


def train(start: float, model_hash: str = "m1") -> Any:
    """A training run that writes the model every pipeline reads."""
    return run("train", start, inputs=[("history.csv", "h0")], outputs=[("model.pkl", model_hash)], code_hash="t1")


def pipeline(side: str, start: float, raw: str = "r1", **clean: Any) -> list[Any]:
    """ingest → clean → predict, writing `pred/<side>`; `clean` overrides fields of the clean run. Intermediate
    names are the same on both sides, value hashes follow from the raw batch and the clean run's code and params."""
    clean.setdefault("code_hash", "c1")
    clean.setdefault("code_snapshot", CLEAN_CODE)
    clean.setdefault("params", {"threshold": 0.5})
    cleaned = f"clean-{raw}-{clean['code_hash']}-{sorted(clean['params'].items())}"
    model = clean.pop("model", "m1")
    return [
        run("ingest", start, inputs=[("raw/batch.csv", raw)], outputs=[("batch.csv", f"b-{raw}")], code_hash="i1"),
        run("clean", start + 10, inputs=[("batch.csv", f"b-{raw}")], outputs=[("clean.csv", cleaned)], **clean),
        run(
            "predict",
            start + 20,
            inputs=[("clean.csv", cleaned), ("model.pkl", model)],
            outputs=[(f"pred/{side}", f"p-{cleaned}-{model}")],
            code_hash="p1",
        ),
    ]
