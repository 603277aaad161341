"""The benchmarks' data: seeded pipelines of captured runs, the same for mltrace and for the floor."""

from __future__ import annotations

import hashlib
import inspect
import random
import uuid
from datetime import datetime, timedelta, timezone

from mltrace import samples
from mltrace.entities import ComponentRun, IOPointer, new_run_key

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
STAGES = ("ingest", "clean", "featurize", "predict")
CHAIN = "chain/1000"  # written by the last run of a 1,000-run chain
FAN_IN = "merged"  # written by one run that read 500 outputs of 500 runs


def code_snapshot() -> tuple[str, str]:
    """A real component's source and its hash, as the decorator captures them once per component."""
    code = inspect.getsource(samples)[:2000]
    return code, hashlib.sha256(code.encode()).hexdigest()


def pipeline_records(n_runs: int, prefix: str = "", with_code: bool = False) -> list[ComponentRun]:
    """A 4-stage pipeline repeated until `n_runs` runs, each stage reading the previous one's output."""
    code, code_hash = code_snapshot() if with_code else (None, None)
    records = []
    for i in range(n_runs):
        k, item = i % 4, i // 4
        start = T0 + timedelta(milliseconds=i)
        source = IOPointer(f"{prefix}{item}/s{k}") if k else IOPointer(f"{prefix}raw/{item % 97}.csv")
        records.append(
            ComponentRun(
                key=new_run_key(),
                component_name=STAGES[k],
                start_timestamp=start,
                end_timestamp=start + timedelta(microseconds=500),
                inputs=[source],
                outputs=[IOPointer(f"{prefix}{item}/s{k + 1}")],
                code_snapshot=code,
                code_hash=code_hash,
                params={"batch": item} if k == 3 else {},
            )
        )
    return records


def _run(component: str, second: float, inputs: list[str], outputs: list[str]) -> ComponentRun:
    start = T0 + timedelta(seconds=second)
    return ComponentRun(
        key=new_run_key(),
        component_name=component,
        start_timestamp=start,
        end_timestamp=start + timedelta(seconds=0.5),
        inputs=[IOPointer(n) for n in inputs],
        outputs=[IOPointer(n) for n in outputs],
    )


def lineage_records(total_runs: int) -> tuple[list[ComponentRun], list[str]]:
    """A 1,000-deep chain, a 500-input fan-in, a prediction pipeline with 100,000 predictions (100 of them, from
    a planted bad batch, to flag) and filler pipelines up to `total_runs` runs; and the 100 to flag."""
    records: list[ComponentRun] = []
    t = 10_000.0
    for i in range(1000):
        records.append(_run("chain", t + i, [f"chain/{i}"] if i else [], [f"chain/{i + 1}"]))
    t += 2000
    for i in range(500):
        records.append(_run("source", t + i, [], [f"src/{i}"]))
    records.append(_run("merge", t + 600, [f"src/{i}" for i in range(500)], [FAN_IN]))
    t += 1000
    records.append(_run("train", t, ["history.csv"], ["model.pkl"]))
    for b in range(200):
        records.append(_run("ingest", t + 10 + b, [f"raw/{b}"], [f"batch/{b}"]))
        records.append(_run("featurize", t + 300 + b, [f"batch/{b}"], [f"features/{b}"]))
    flagged: list[str] = []
    for p in range(500):  # 500 predict runs × 200 predictions; runs on batch 7 are the bad ones
        batch = p % 200
        names = [f"pred/{p}/{k}" for k in range(200)]
        records.append(_run("predict", t + 600 + p, [f"features/{batch}", "model.pkl"], names))
        if batch == 7 and len(flagged) < 100:
            flagged += random.Random(p).sample(names, 34)
    records[:0] = pipeline_records(total_runs - len(records), prefix="filler/")
    return records, flagged[:100]


def prediction_ids(n_pointers: int, per_run: int = 200) -> list[ComponentRun]:
    """Runs that write `n_pointers` prediction ids (random UUIDs from a seeded generator), `per_run` each."""
    rng = random.Random(18)
    records = []
    for r in range(n_pointers // per_run):
        names = [f"pred/{uuid.UUID(int=rng.getrandbits(128), version=4)}" for _ in range(per_run)]
        records.append(_run("predict", r, ["model.pkl"], names))
    return records
