"""Stores and serves the sample pipeline, plus a wide lineage and an odd component name, for the browser tests.

`python -m tests.e2e.demo_server build --db URI --workdir DIR [--now ISO]` stores the data (with the
clock stopped at `--now`, when given) and prints one JSON line describing it;
`python -m tests.e2e.demo_server serve --db URI` starts the app on a free port, prints `{"port": N}`,
then serves until killed. Two processes, as `populate_db.py` and `mltrace serve`.
"""

from __future__ import annotations

import argparse
import json
import math
from contextlib import nullcontext
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import insert
from werkzeug.serving import make_server

import mltrace
from mltrace.client import Client
from mltrace.db.models import run_metric_steps
from mltrace.samples import build_demo
from mltrace.server.app import create_app

ODD_COMPONENT = "<img src=x onerror=alert(1)>"
ODD_OUTPUT = "reports/<b>odd</b> #1?.txt"
BIG_STAGES = 12  # the wide lineage: stages of runs, each run reading two outputs of the stage before
BIG_WIDTH = 25
BIG_OUTPUT = "big/final"
BIG_PATCHED = "big/final-patched"  # the same lineage but for one last-stage output, written by a patched step
BATCH_COMPONENT = "batch-score"  # one run writing BATCH_OUTPUTS outputs: lists show a few of them
BATCH_OUTPUTS = 200
CODE_COMPONENT = "score"  # two runs of one input whose code differs: a diff with a code difference
CODE_OUTPUTS = ("scores/before-the-fix", "scores/after-the-fix")
CODE_VERSIONS = (
    "def score(rows):\n    total = sum(rows)\n    return total / len(rows)\n",
    "def score(rows):\n    total = sum(rows)\n    return total / max(len(rows), 1)\n",
)


def _log(
    component: str, start: datetime, inputs: list[str], outputs: list[str], code: str | None = None, **fields: object
) -> None:
    run = mltrace.ComponentRun(component, **fields)
    if code is not None:
        run.set_code_snapshot(code)
    run.set_start_timestamp(start)
    run.set_end_timestamp(start + timedelta(seconds=1))
    run.add_inputs(inputs)
    run.add_outputs(outputs)
    mltrace.log_component_run(run)


T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
SERIES_KEY = "loss"  # the step series the demo's training runs log (one per epoch)
SWEEP_COMPONENT = "sweep"  # SWEEP_RUNS runs of one training sweep, for comparing 50 runs at once
SWEEP_RUNS = 50
SWEEP_STEPS = 200


def _insert_steps(db: str, rows: list[dict[str, Any]]) -> None:
    with Client(db).store.engine.begin() as conn:
        conn.execute(insert(run_metric_steps), rows)


def log_sweep(db: str) -> list[int]:
    """SWEEP_RUNS runs of SWEEP_COMPONENT, each with a learning rate, a seed and its scores, and a loss per step
    (SWEEP_STEPS steps); returns their ids, oldest first."""
    records = []
    for k in range(SWEEP_RUNS):
        run = mltrace.ComponentRun(
            SWEEP_COMPONENT,
            start_timestamp=T0 + timedelta(hours=k),
            end_timestamp=T0 + timedelta(hours=k, minutes=20 + k % 7),
            params={"learning_rate": round(0.001 * (1 + k % 10), 4), "batch_size": 64, "seed": k},
            metrics={"accuracy": round(0.8 + 0.15 * math.sin(k / 7) ** 2, 4), "epochs": 10},
        )
        run.add_inputs(["data/features/sweep.csv"])
        records.append(run)
    ids = Client(db).ingest(records)
    rows = [
        {"run_id": run_id, "key": "loss", "step": step, "num": round(1 / (1 + step * (1 + k % 10) / 50), 4), "ts": T0}
        for k, run_id in enumerate(ids)
        for step in range(SWEEP_STEPS)
    ]
    _insert_steps(db, rows)
    return ids


def log_extras() -> None:
    """An XSS-shaped component, a lineage of BIG_STAGES × BIG_WIDTH + 1 runs behind BIG_OUTPUT, and a
    batch run with BATCH_OUTPUTS outputs, and two runs whose code differs."""
    log_batch_run()
    log_odd_component()
    log_big_lineage()
    log_code_change()


def log_code_change() -> None:
    """Two runs of CODE_COMPONENT reading the same input, each with its version of the code."""
    for k, (output, code) in enumerate(zip(CODE_OUTPUTS, CODE_VERSIONS, strict=True)):
        _log(CODE_COMPONENT, T0 + timedelta(hours=k), ["scores/input.csv"], [output], code=code)


def log_batch_run() -> None:
    """One run of BATCH_COMPONENT writing BATCH_OUTPUTS outputs."""
    mltrace.create_component(BATCH_COMPONENT, "Scores every machine at once.", "ml-team", ["batch"])
    _log(BATCH_COMPONENT, T0, ["models/batch.pkl"], [f"scores/{k:03d}" for k in range(BATCH_OUTPUTS)])


def log_odd_component() -> None:
    """A failed run of a component whose name, owner, description and error look like HTML."""
    mltrace.create_component(ODD_COMPONENT, "<script>alert('description')</script>", "<b>mallory</b>", ["odd"])
    _log(ODD_COMPONENT, T0, [], [ODD_OUTPUT], status="failed", error="ValueError: <script>alert(2)</script>")


def log_big_lineage() -> None:
    """BIG_STAGES × BIG_WIDTH runs, each reading two outputs of the stage before, and one writing BIG_OUTPUT."""
    for stage in range(BIG_STAGES):
        for i in range(BIG_WIDTH):
            if stage == 0:
                inputs = [f"big/source-{i}"]
            else:
                inputs = [f"big/{stage - 1}-{i}", f"big/{stage - 1}-{(i + 1) % BIG_WIDTH}"]
            _log("big-step", T0 + timedelta(minutes=10 * stage + 1, seconds=i), inputs, [f"big/{stage}-{i}"])
    last = [f"big/{BIG_STAGES - 1}-{i}" for i in range(BIG_WIDTH)]
    _log("big-step", T0 + timedelta(minutes=10 * BIG_STAGES + 1), last, [BIG_OUTPUT])
    # BIG_PATCHED: its first input rewritten by a step whose code changed, the other 24 shared with BIG_OUTPUT
    stage = BIG_STAGES - 1
    patched = f"big/{stage}-0-patched"
    reads = [f"big/{stage - 1}-0", f"big/{stage - 1}-1"]
    _log("big-step", T0 + timedelta(minutes=10 * BIG_STAGES + 2), reads, [patched], code="def step(): return 2\n")
    _log("big-step", T0 + timedelta(minutes=10 * BIG_STAGES + 3), [patched, *last[1:]], [BIG_PATCHED])


def build(db: str, workdir: str) -> dict[str, Any]:
    """Logs the demo and the extras into `db`; returns what was stored, as JSON-ready data."""
    info = build_demo(db, Path(workdir))
    log_extras()
    if not mltrace.flush(120):
        raise SystemExit("the extra runs could not be stored")
    sweep_ids = log_sweep(db)
    described = {key: value for key, value in asdict(info).items() if key != "workdir"}
    described["run_ids"] = {name: list(ids) for name, ids in info.run_ids.items()}
    described.update(
        now=datetime.now(timezone.utc).isoformat(),
        odd_component=ODD_COMPONENT,
        odd_output=ODD_OUTPUT,
        big_output=BIG_OUTPUT,
        big_patched=BIG_PATCHED,
        big_runs=BIG_STAGES * BIG_WIDTH + 1,
        batch_component=BATCH_COMPONENT,
        batch_outputs=BATCH_OUTPUTS,
        code_outputs=list(CODE_OUTPUTS),
        sweep_run_ids=sweep_ids,
        series_key=SERIES_KEY,
    )
    return described


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["build", "serve"])
    parser.add_argument("--db", required=True, help="database URI")
    parser.add_argument("--workdir", help="folder for the demo pipeline's data files (build)")
    parser.add_argument("--now", type=datetime.fromisoformat, help="store as if this were the time, clock stopped")
    args = parser.parse_args(argv)
    if args.action == "build":
        # A stopped clock fixes every time the demo stores, its "today" too.
        with time_machine.travel(args.now, tick=False) if args.now else nullcontext():
            print(json.dumps(build(args.db, args.workdir)), flush=True)
        return
    server = make_server("127.0.0.1", 0, create_app({"DB_URI": args.db}), threaded=True)
    print(json.dumps({"port": server.server_port}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
