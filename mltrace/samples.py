"""The demo pipeline: a seeded week of a failure model's history, with a bad raw batch and a code change planted.

Five components — ingest → clean → featurize → train → predict — score eight factory
machines every day. The simulated days are logged with `ComponentRun` and
`log_component_run` (they carry explicit timestamps); today's run goes through the
decorators themselves. On day `BAD_DAY` the sensor vendor's batch arrives in Fahrenheit.
The row-count and column tests pass, clean keeps a four-hour overlap with the previous
batch, so that day's predictions and the next day's say every machine is about to fail.
`build_demo` flags them, and `review` should then put that one ingest run first; ingest records
its `fahrenheit` argument as a param (as every decorated step does with its scalar arguments) and logs
the batch's row count, mean and maximum temperature as metrics, so even one flagged prediction of that
day points at it. train logs its settings as params and its loss after each epoch as a step series.

On the afternoon of the last simulated day (`HOTFIX_DAY`) a featurize change is deployed and the day is scored
again: the same clean batch, the same model, featurize's code with one line changed (vibration converted to m/s²,
while the model was fitted in g). Every machine of the rescoring alerts; maintenance reports one of them healthy,
and `build_demo` flags that one. Review still puts the Fahrenheit ingest run first (it explains the other flags);
`diff` of a morning prediction of that day against the flagged one puts featurize's code change first, and
`impact` of the hotfix run finds the rest of the rescoring.

featurize and train are cached steps (`cache=True`): later today the model is rebuilt on the latest
training window, and a second run of the morning's steps finds both results in the artifact store
(`_rerun_cached_steps`), so recent and inspect show runs with status `cached`.

Everything is derived from `seed`: same seed, same data, same prediction ids, same run ids.
Only the dates follow the calendar (the last simulated day is yesterday).
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import math
import random
import statistics
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import mltrace
from mltrace.client import default_client
from mltrace.entities import PointerType
from mltrace.entities.series import SeriesPoint
from mltrace.tracking import context
from mltrace.tracking.arguments import ArgumentParams
from mltrace.tracking.hashing import content_hash

DAYS = 7  # simulated days before today
BAD_DAY = 4  # the day (0-based) whose raw batch is in Fahrenheit
TRAIN_DAYS = (0, 3)  # days the model is retrained
MACHINES = 8
READINGS_PER_DAY = 48  # one every 30 minutes, machines in turn
OVERLAP_READINGS = 8  # clean keeps the previous batch's last four hours
MODEL_PATH = "models/model.json"
MODEL_OBJECT = "models/model.pkl"  # the same model as an object in the artifact store (`mltrace.save`)
PREDICT_STALENESS = timedelta(days=3)  # serving wants a model retrained at least every three days
HOTFIX_DAY = DAYS - 1  # the day (0-based) featurize's code changes in the afternoon and the day is scored again
RESCORE_INDEX = DAYS + 1  # the rescoring's seed index (prediction ids are drawn from it)
HOTFIX_CHANGE = (  # the line of featurize the hotfix changes: a unit slip the model never saw
    '"vibration_mean": round(statistics.fmean(float(r["vibration_g"]) for r in rows), 4),',
    '"vibration_mean": round(statistics.fmean(float(r["vibration_g"]) * 9.81 for r in rows), 4),  # m/s²',
)
FIELDS = ("event_id", "machine_id", "recorded_at", "temperature_c", "vibration_g")
EPOCHS, LEARNING_RATE = 12, 0.05  # train's (simulated) fitting: its loss per epoch is a step series


# --- tests attached to components --------------------------------------------


class RawBatchLooksComplete(mltrace.Test):
    """A raw batch has rows and every column. It cannot tell Celsius from Fahrenheit."""

    def test_has_rows(self, rows: list[dict[str, Any]]) -> None:
        assert rows, "the batch is empty"

    def test_has_every_column(self, rows: list[dict[str, Any]]) -> None:
        missing = {f for row in rows for f in FIELDS if row.get(f) in (None, "")}
        assert not missing, f"missing values in {sorted(missing)}"


class PredictionsAreProbabilities(mltrace.Test):
    """Every prediction is a probability."""

    def test_in_unit_interval(self, probabilities: list[float]) -> None:
        assert all(0.0 <= p <= 1.0 for p in probabilities), "a prediction is outside [0, 1]"


# --- the components ------------------------------------------------------------

INGEST = mltrace.Component(
    "ingest",
    owner="data-eng",
    description="Copies the day's sensor events from the vendor bucket into data/raw.",
    afterTests=[RawBatchLooksComplete],
    tags=["etl", "sensors"],
)
CLEAN = mltrace.Component(
    "clean",
    owner="data-eng",
    description="Deduplicates events and keeps a four-hour overlap with the previous batch.",
    tags=["etl"],
)
TRAIN = mltrace.Component(
    "train",
    owner="ml-team",
    description="Fits the failure model's baseline on recent features.",
    tags=["training"],
)
PREDICT = mltrace.Component(
    "predict",
    owner="ml-team",
    description="Scores every machine's probability of failing within a day.",
    afterTests=[PredictionsAreProbabilities],
    tags=["serving"],
)
FEATURIZE_OWNER, FEATURIZE_TAGS = "ml-platform", ["features"]  # featurize shows `register`, which takes no metadata
FEATURIZE_DESCRIPTION = "Per-machine daily means of temperature and vibration."


@dataclass
class Step:
    """What one step read and wrote, for logging it by hand on a simulated day."""

    reads: list[str]
    writes: list[str]
    checked: dict[str, Any] = field(default_factory=dict)  # the variables its after-tests look at
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)


@INGEST.run(input_vars=["source"], output_kwargs={"raw_path": "raw_csv"})
def ingest(workdir: Path, seed: int, index: int, day: date, fahrenheit: bool = False) -> Step:
    source = f"s3://acme-sensors/events/{day.isoformat()}.jsonl"
    rows = sensor_events(random.Random(seed * 1000 + index), day, fahrenheit)  # `fahrenheit`: a param (log_args)
    mltrace.log_metrics(batch_statistics(rows))  # the Fahrenheit day shows here as data: a mean 2.3× the usual
    raw_path = f"data/raw/events-{day.isoformat()}.csv"
    raw_csv = write_csv(workdir, raw_path, rows)  # noqa: F841 - read by output_kwargs
    return Step([source], [raw_path], {"rows": rows})


@CLEAN.run(input_kwargs={"raw_paths": "raw_csvs"}, output_kwargs={"clean_path": "clean_csv"})
def clean(workdir: Path, day: date) -> Step:
    raw_paths = [
        f"data/raw/events-{(day - timedelta(days=1)).isoformat()}.csv",
        f"data/raw/events-{day.isoformat()}.csv",
    ]
    raw_paths = [p for p in raw_paths if (workdir / p).exists()]
    raw_csvs = [read_text(workdir, p) for p in raw_paths]
    batches = [parse_csv(text) for text in raw_csvs]
    overlap = batches[-2][-OVERLAP_READINGS:] if len(batches) == 2 else []
    rows = list({row["event_id"]: row for row in overlap + batches[-1] if all(row.values())}.values())
    clean_path = f"data/clean/events-{day.isoformat()}.csv"
    clean_csv = write_csv(workdir, clean_path, rows)  # noqa: F841 - read by output_kwargs
    return Step(raw_paths, [clean_path])


@mltrace.register(
    "featurize", input_kwargs={"clean_path": "clean_csv"}, output_kwargs={"features_path": "features_csv"}, cache=True
)
def featurize(workdir: Path, day: date) -> Step:
    clean_path = f"data/clean/events-{day.isoformat()}.csv"
    clean_csv = read_text(workdir, clean_path)
    by_machine: dict[str, list[dict[str, str]]] = {}
    for row in parse_csv(clean_csv):
        by_machine.setdefault(row["machine_id"], []).append(row)
    features = [
        {
            "machine_id": machine,
            "readings": len(rows),
            "temperature_mean": round(statistics.fmean(float(r["temperature_c"]) for r in rows), 3),
            "vibration_mean": round(statistics.fmean(float(r["vibration_g"]) for r in rows), 4),
        }
        for machine, rows in sorted(by_machine.items())
    ]
    features_path = f"data/features/features-{day.isoformat()}.csv"
    features_csv = write_csv(workdir, features_path, features)  # noqa: F841 - read by output_kwargs
    return Step([clean_path], [features_path])


@TRAIN.run(input_kwargs={"features_paths": "features_csvs"}, output_kwargs={"model_path": "model_json"}, cache=True)
def train(workdir: Path, days: list[date], seed: int) -> Step:
    features_paths = [f"data/features/features-{d.isoformat()}.csv" for d in days]
    features_csvs = [read_text(workdir, p) for p in features_paths]
    rows = [row for text in features_csvs for row in parse_csv(text)]
    temperatures = [float(r["temperature_mean"]) for r in rows]
    vibrations = [float(r["vibration_mean"]) for r in rows]
    model = {
        "temperature_mean": statistics.fmean(temperatures),
        "temperature_std": statistics.pstdev(temperatures),
        "vibration_mean": statistics.fmean(vibrations),
        "vibration_std": statistics.pstdev(vibrations),
        "bias": -4.0,
        "temperature_weight": 1.0,
        "vibration_weight": 0.5,
    }
    mltrace.log_params(epochs=EPOCHS, learning_rate=LEARNING_RATE)
    for epoch, loss in enumerate(training_losses(random.Random(seed * 7919 + days[-1].toordinal()))):
        mltrace.log_metrics({"loss": loss}, step=epoch)
    model_path = MODEL_PATH
    mltrace.save(model, MODEL_OBJECT)  # the fitted object too, in the artifact store: downloadable from the run page
    model_json = write_text(workdir, model_path, json.dumps(model, indent=2, sort_keys=True))  # noqa: F841 - read by output_kwargs
    auc = round(random.Random(seed * 7919 + len(days) + days[-1].toordinal() % 97).uniform(0.86, 0.91), 3)
    return Step(features_paths, [model_path], params={"bias": -4.0, "window_days": len(days)}, metrics={"auc": auc})


@PREDICT.run(
    input_kwargs={"input_paths": "input_texts"},
    output_vars=["prediction_ids"],
    endpoint=True,
    staleness_threshold=PREDICT_STALENESS,
)
def predict(workdir: Path, seed: int, index: int, day: date) -> Step:
    input_paths = [f"data/features/features-{day.isoformat()}.csv", MODEL_PATH]
    input_texts = [read_text(workdir, p) for p in input_paths]
    features, model = parse_csv(input_texts[0]), json.loads(input_texts[1])
    rng = random.Random(seed * 31337 + index)
    prediction_ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in features]
    probabilities = [failure_probability(row, model) for row in features]
    return Step(
        input_paths,
        prediction_ids,
        {"probabilities": probabilities},
        metrics={"machines": len(features), "alerts": sum(p >= 0.5 for p in probabilities)},
    )


def featurize_hotfix() -> tuple[Callable[..., Step], str]:
    """featurize as deployed on the afternoon of `HOTFIX_DAY` (one line changed, `HOTFIX_CHANGE`), and its
    source as the run records it."""
    source = inspect.getsource(featurize.__wrapped__)  # type: ignore[attr-defined]
    changed = source.replace(*HOTFIX_CHANGE)
    if changed == source:
        raise RuntimeError("featurize no longer has the line the demo's hotfix changes")
    namespace = dict(globals())
    exec(compile(changed[changed.index("def featurize") :], __file__, "exec"), namespace)  # noqa: S102
    return namespace["featurize"], changed


# --- the data --------------------------------------------------------------------


def sensor_events(rng: random.Random, day: date, fahrenheit: bool) -> list[dict[str, Any]]:
    """One day of readings; each machine runs a little warmer or cooler than the others."""
    baseline = {m: 58.0 + 0.4 * m for m in range(MACHINES)}
    rows = []
    midnight = datetime.combine(day, time(0), tzinfo=timezone.utc)
    for i in range(READINGS_PER_DAY):
        machine = i % MACHINES
        celsius = rng.gauss(baseline[machine], 1.5)
        rows.append(
            {
                "event_id": f"{day.isoformat()}-{i:03d}",
                "machine_id": f"m-{machine + 1:03d}",
                "recorded_at": (midnight + timedelta(minutes=30 * i)).isoformat(),
                "temperature_c": round(celsius * 9 / 5 + 32 if fahrenheit else celsius, 1),
                "vibration_g": round(max(0.05, rng.gauss(0.3, 0.04)), 3),
            }
        )
    return rows


def training_losses(rng: random.Random) -> list[float]:
    """The training loss after each epoch: a simulated curve, falling fast and then levelling off, with noise."""
    return [round(0.28 + 0.42 * 0.72**epoch + rng.uniform(-0.008, 0.008), 4) for epoch in range(EPOCHS)]


def batch_statistics(rows: list[dict[str, Any]]) -> dict[str, float | int]:
    """A raw batch's row count and its mean and highest temperature, in the batch's own unit."""
    temperatures = [float(row["temperature_c"]) for row in rows]
    return {
        "rows": len(rows),
        "temperature_mean": round(statistics.fmean(temperatures), 2) if temperatures else 0.0,
        "temperature_max": max(temperatures, default=0.0),
    }


def failure_probability(features: Mapping[str, str], model: Mapping[str, float]) -> float:
    """The model: a logistic score of how far a machine runs from the fleet's baseline."""
    z_temperature = (float(features["temperature_mean"]) - model["temperature_mean"]) / (
        model["temperature_std"] or 1.0
    )
    z_vibration = (float(features["vibration_mean"]) - model["vibration_mean"]) / (model["vibration_std"] or 1.0)
    score = model["bias"] + model["temperature_weight"] * z_temperature + model["vibration_weight"] * z_vibration
    return round(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score)))), 4)


def write_csv(workdir: Path, name: str, rows: list[dict[str, Any]]) -> str:
    """Writes rows as CSV under `workdir`; returns the text written."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else list(FIELDS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return write_text(workdir, name, buffer.getvalue())


def write_text(workdir: Path, name: str, text: str) -> str:
    path = workdir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return text


def read_text(workdir: Path, name: str) -> str:
    return (workdir / name).read_bytes().decode("utf-8")


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- building the demo -------------------------------------------------------------


@dataclass(frozen=True)
class DemoInfo:
    """What `build_demo` logged, for tests and for telling a person what to try."""

    db_uri: str
    workdir: Path
    culprit_run_id: int  # the ingest run of the Fahrenheit batch
    culprit_output: str  # the raw file it wrote
    bad_prediction_ids: tuple[str, ...]  # flagged
    good_prediction_ids: tuple[str, ...]
    stale_run_ids: tuple[int, ...]  # predict runs that used a model older than three days
    failed_run_ids: tuple[int, ...]
    run_ids: Mapping[str, tuple[int, ...]]  # component -> its run ids, oldest first
    cached_run_ids: tuple[int, ...] = ()  # runs of featurize and train that returned an earlier result
    hotfix_run_id: int = 0  # the featurize run of the changed code
    rescored_prediction_ids: tuple[str, ...] = ()  # what the rescoring after it wrote (the first is flagged)
    hotfix_diff: tuple[str, str] = ("", "")  # the same machine's prediction that morning (good), the flagged one


def build_demo(db_uri: str, workdir: Path, seed: int = 7) -> DemoInfo:
    """Logs the demo pipeline into `db_uri` (data files go to `workdir`), flags the bad predictions.

    Points the module-level API at `db_uri` (as `mltrace.set_db_uri` does) and leaves it there.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    mltrace.set_db_uri(db_uri)
    if default_client().server_url:
        raise RuntimeError("build_demo logs into a database, but a server address is set (MLTRACE_SERVER_URL)")
    mltrace.create_component("featurize", FEATURIZE_DESCRIPTION, FEATURIZE_OWNER, FEATURIZE_TAGS)
    for component in (INGEST, CLEAN, TRAIN, PREDICT):
        mltrace.create_component(component.name, component.description, component.owner, list(component.tags))

    today = datetime.now(timezone.utc).date()
    days = [today - timedelta(days=DAYS - i) for i in range(DAYS)]
    rng = random.Random(seed)
    commits = [f"{rng.getrandbits(160):040x}" for _ in TRAIN_DAYS]
    probabilities: dict[str, float] = {}
    rescored: tuple[str, ...] = ()
    morning = ""
    for index, day in enumerate(days):
        at = _Clock(day, rng)
        commit = commits[0] if index < TRAIN_DAYS[1] else commits[1]
        if index == 2:  # the vendor bucket timed out once; the retry worked
            _log_failed(
                ingest,
                at(1, 0),
                f"TimeoutError: reading s3://acme-sensors/events/{day.isoformat()}.jsonl timed out",
                [f"s3://acme-sensors/events/{day.isoformat()}.jsonl"],
                commit,
            )
        _log(
            ingest,
            at(1, 10),
            commit,
            RawBatchLooksComplete,
            workdir=workdir,
            seed=seed,
            index=index,
            day=day,
            fahrenheit=index == BAD_DAY,
        )
        _log(clean, at(1, 30), commit, None, workdir=workdir, day=day)
        _log(featurize, at(2, 0), commit, None, workdir=workdir, day=day)
        if index in TRAIN_DAYS:
            _log(
                train,
                at(3, 0, long=True),
                commit,
                None,
                workdir=workdir,
                days=days[max(0, index - 2) : index + 1],
                seed=seed,
            )
        step = _log(
            predict,
            at(9, 0),
            commit,
            PredictionsAreProbabilities,
            endpoint=True,
            staleness=PREDICT_STALENESS,
            workdir=workdir,
            seed=seed,
            index=index,
            day=day,
        )
        probabilities.update(zip(step.writes, step.checked["probabilities"], strict=True))
        if index == HOTFIX_DAY:  # featurize's change is deployed and the day is scored again
            morning = step.writes[0]
            _log(featurize, at(14, 0), commit, None, code=featurize_hotfix(), workdir=workdir, day=day)
            rescoring = _log(
                predict,
                at(14, 30),
                commit,
                PredictionsAreProbabilities,
                endpoint=True,
                staleness=PREDICT_STALENESS,
                workdir=workdir,
                seed=seed,
                index=RESCORE_INDEX,
                day=day,
            )
            rescored = tuple(rescoring.writes)
            probabilities.update(zip(rescoring.writes, rescoring.checked["probabilities"], strict=True))

    # today: through the decorators themselves, at the real time
    ingest(workdir, seed, DAYS, today)
    clean(workdir, today)
    featurize(workdir, today)
    step = predict(workdir, seed, DAYS, today)
    probabilities.update(zip(step.writes, step.checked["probabilities"], strict=True))
    _rerun_cached_steps(workdir, seed, days, today)
    if not mltrace.flush(30):
        raise RuntimeError(f"the demo runs could not be stored in {db_uri}")

    alerts = tuple(pid for pid, p in probabilities.items() if p >= 0.5 and pid not in rescored)
    bad = (*alerts, rescored[0])  # of the rescoring, one machine has been looked at so far
    for pid in bad:
        mltrace.flag_output_id(
            pid, f"Failure probability {probabilities[pid]:.2f}, but maintenance found the machine healthy."
        )
    good = tuple(p for p in probabilities if p not in alerts and p not in rescored)
    return _describe(db_uri, workdir, days[BAD_DAY], bad, good, rescored, morning)


def _rerun_cached_steps(workdir: Path, seed: int, days: list[date], today: date) -> None:
    """Later today the model is rebuilt on the latest training window (the same features, so the same model), then
    the morning's featurize and that training are asked for once more: both are cached steps, so the second time
    they return their results from the artifact store without running, recorded as runs with status `cached`."""
    window = days[TRAIN_DAYS[-1] - 2 : TRAIN_DAYS[-1] + 1]
    train(workdir, window, seed)  # computed: the simulated days were logged by hand, without a cache key
    featurize(workdir, today)
    train(workdir, window, seed)


class _Clock:
    """Simulated start and end times within one day (durations drawn from the shared rng)."""

    def __init__(self, day: date, rng: random.Random) -> None:
        self.day, self.rng = day, rng

    def __call__(self, hour: int, minute: int, long: bool = False) -> tuple[datetime, datetime]:
        start = datetime.combine(self.day, time(hour, minute), tzinfo=timezone.utc)
        start += timedelta(microseconds=self.rng.randrange(1_000_000))
        seconds = self.rng.uniform(120, 300) if long else self.rng.uniform(2, 40)
        return start, start + timedelta(seconds=seconds)


def _log(
    step_fn: Callable[..., Step],
    times: tuple[datetime, datetime],
    commit: str,
    test: type[mltrace.Test] | None,
    endpoint: bool = False,
    staleness: timedelta = timedelta(days=30),
    code: tuple[Callable[..., Step], str] | None = None,
    **kwargs: Any,
) -> Step:
    """Runs a step's own code (or `code`: another function and its source) without recording it, then logs it by
    hand at the simulated time, with the params and metrics the decorator would record (its scalar arguments, what
    its body logged with `log_params` and `log_metrics`, step series spread over the run's time) and those of its
    `Step`."""
    raw_fn = step_fn.__wrapped__ if code is None else code[0]  # type: ignore[attr-defined]
    body = context.ActiveRun()  # what the body logs; its `save`s stay unrecorded, as without a running call
    token = context.enter(body)
    try:
        step: Step = raw_fn(**kwargs)
    finally:
        context.leave(token)
    workdir = kwargs["workdir"]
    run = mltrace.ComponentRun(step_fn.__name__)  # each step function is named after its component
    run.set_start_timestamp(times[0])
    run.set_end_timestamp(times[1])
    run.add_inputs([mltrace.IOPointer(n, value_hash=_hash(workdir, n)) for n in step.reads])
    output_type = PointerType.ENDPOINT if endpoint else PointerType.UNKNOWN  # unknown: inferred from the name
    run.add_outputs([mltrace.IOPointer(n, output_type, value_hash=_hash(workdir, n)) for n in step.writes])
    run.set_code_snapshot(inspect.getsource(raw_fn) if code is None else code[1])
    run.set_git_hash(commit)
    arguments = ArgumentParams.of(raw_fn)((), kwargs)
    run.params, run.metrics = {**arguments, **step.params, **body.params}, {**step.metrics, **body.metrics}
    run.series = {key: _spread(sorted(points.items()), times) for key, points in body.series.items()}
    if test is not None:
        run.test_results = test().run_tests("after", **step.checked)
    mltrace.log_component_run(run, staleness_threshold=staleness)
    return step


def _spread(points: list[tuple[int, tuple[float, datetime]]], times: tuple[datetime, datetime]) -> list[SeriesPoint]:
    """A series' points logged at even intervals over the simulated run, the last at its end."""
    start, end = times
    return [
        SeriesPoint(step, value, start + (end - start) * (i + 1) / len(points))
        for i, (step, (value, _)) in enumerate(points)
    ]


def _log_failed(
    step_fn: Callable[..., Step], times: tuple[datetime, datetime], error: str, reads: list[str], commit: str
) -> None:
    run = mltrace.ComponentRun(step_fn.__name__, status="failed", error=error)
    run.set_start_timestamp(times[0])
    run.set_end_timestamp(times[1])
    for name in reads:
        run.add_input(name)
    run.set_code_snapshot(inspect.getsource(step_fn.__wrapped__))  # type: ignore[attr-defined]
    run.set_git_hash(commit)
    mltrace.log_component_run(run)


def _hash(workdir: Path, name: str) -> str | None:
    path = workdir / name
    return content_hash(read_text(workdir, name)) if path.exists() else None


def _describe(
    db_uri: str,
    workdir: Path,
    bad_day: date,
    bad: tuple[str, ...],
    good: tuple[str, ...],
    rescored: tuple[str, ...],
    morning: str,
) -> DemoInfo:
    run_ids: dict[str, tuple[int, ...]] = {}
    runs_by_id = {}
    for name in ("ingest", "clean", "featurize", "train", "predict"):
        history = list(reversed(mltrace.get_history(name)))
        run_ids[name] = tuple(int(r.id) for r in history if r.id is not None)
        runs_by_id.update({r.id: r for r in history})
    culprit_output = f"data/raw/events-{bad_day.isoformat()}.csv"
    culprit = next(r for r in runs_by_id.values() if any(p.name == culprit_output for p in r.outputs))
    rescoring = next(r for r in runs_by_id.values() if any(p.name == rescored[0] for p in r.outputs))
    hotfix_id = next(d for d in rescoring.dependencies if runs_by_id[d].component_name == "featurize")
    return DemoInfo(
        db_uri=db_uri,
        workdir=workdir,
        culprit_run_id=int(culprit.id or 0),
        culprit_output=culprit_output,
        bad_prediction_ids=bad,
        good_prediction_ids=good,
        stale_run_ids=tuple(int(r.id or 0) for r in runs_by_id.values() if r.stale),
        failed_run_ids=tuple(int(r.id or 0) for r in runs_by_id.values() if r.status == "failed"),
        run_ids=run_ids,
        cached_run_ids=tuple(sorted(int(r.id or 0) for r in runs_by_id.values() if r.status == "cached")),
        hotfix_run_id=int(hotfix_id),
        rescored_prediction_ids=rescored,
        hotfix_diff=(morning, rescored[0]),
    )
