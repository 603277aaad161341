"""The demo pipeline of `mltrace.samples`: review finds the planted bad batch, traces lead to it."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from mltrace import client as client_module
from mltrace.client import Client
from mltrace.samples import BAD_DAY, DAYS, HOTFIX_DAY, MACHINES, READINGS_PER_DAY, build_demo


def _upstream_runs(client: Client, output_id: str) -> set[int]:
    return {n["run_id"] for n in client.trace(output_id)["nodes"] if n["kind"] == "run"}


def test_review_ranks_the_planted_bad_ingest_run_first(logging_to: str, tmp_path: Path) -> None:
    info = build_demo(logging_to, tmp_path / "work")
    review = Client(logging_to).review(10)
    assert sorted(review["flagged"]) == sorted(info.bad_prediction_ids)
    top, count, coverage, score, _evidence = review["runs"][0]
    assert (top.id, top.component_name) == (info.culprit_run_id, "ingest")
    assert any(p.name == info.culprit_output for p in top.outputs)
    behind_the_batch = len(info.bad_prediction_ids) - 1  # all but the rescoring's flagged prediction
    assert (count, coverage) == (behind_the_batch, pytest.approx(behind_the_batch / len(info.bad_prediction_ids)))
    assert info.hotfix_run_id not in [entry[0].id for entry in review["runs"][:5]]  # review does not single it out
    assert all(entry[3] < score for entry in review["runs"][1:])  # strictly ahead, not on a tie-break


def test_with_one_flagged_prediction_of_the_bad_day_review_still_ranks_the_bad_ingest_run_first(
    logging_to: str, tmp_path: Path
) -> None:
    info = build_demo(logging_to, tmp_path / "work")
    client = Client(logging_to)
    bad_day_run = list(reversed(client.history("predict")))[BAD_DAY]
    one = sorted(p.name for p in bad_day_run.outputs)[0]
    for name in info.bad_prediction_ids:
        if name != one:
            client.unflag(name)
    review = client.review(5)
    assert review["flagged"] == [one]
    top, count, coverage, score, evidence = review["runs"][0]
    assert (top.id, count, coverage) == (info.culprit_run_id, 1, 1.0)
    assert [(e.kind, e.key) for e in evidence] == [
        ("outlier_metric", "temperature_max"),
        ("outlier_metric", "temperature_mean"),
        ("rare_param", "fahrenheit"),
    ]
    assert all(entry[3] < score for entry in review["runs"][1:])
    # that day's predict, featurize and clean runs cover the flag with fewer good outputs, so on Ochiai alone
    # they would come first; predict's own evidence (every machine alerted) is one piece against three
    runner_up = review["runs"][1]
    assert (runner_up[0].id, [e.key for e in runner_up[4]]) == (bad_day_run.id, ["alerts"])


def test_the_demos_ingest_runs_log_their_unit_and_batch_statistics(logging_to: str, tmp_path: Path) -> None:
    info = build_demo(logging_to, tmp_path / "work")
    ingests = [r for r in Client(logging_to).history("ingest") if r.status == "success"]
    assert len(ingests) == DAYS + 1  # the simulated days and today's, logged through the decorator
    assert all(set(r.metrics) == {"rows", "temperature_mean", "temperature_max"} for r in ingests)
    assert all(r.metrics["rows"] == READINGS_PER_DAY for r in ingests)
    culprit = next(r for r in ingests if r.id == info.culprit_run_id)
    others = [r for r in ingests if r.id != info.culprit_run_id]
    assert culprit.params["fahrenheit"] is True and all(r.params["fahrenheit"] is False for r in others)
    assert all(r.params["seed"] == 7 for r in ingests)  # the other scalar arguments (log_args)
    usual = statistics.median(r.metrics["temperature_mean"] for r in others)
    assert 2.2 < culprit.metrics["temperature_mean"] / usual < 2.5  # 59 °C read as 139
    assert all(r.metrics["temperature_mean"] < r.metrics["temperature_max"] for r in ingests)


def test_every_flagged_prediction_traces_back_to_the_culprit_and_no_good_one_does(
    logging_to: str, tmp_path: Path
) -> None:
    info = build_demo(logging_to, tmp_path / "work")
    client = Client(logging_to)
    *of_the_batch, of_the_hotfix = info.bad_prediction_ids
    for bad in of_the_batch:
        assert info.culprit_run_id in _upstream_runs(client, bad)
        assert client.pointer(bad).flag
    upstream = _upstream_runs(client, of_the_hotfix)
    assert info.hotfix_run_id in upstream and info.culprit_run_id not in upstream
    for good in info.good_prediction_ids[::7]:
        assert info.culprit_run_id not in _upstream_runs(client, good)
        assert not client.pointer(good).flag


def test_the_bad_predictions_are_the_two_days_the_bad_batch_reached(logging_to: str, tmp_path: Path) -> None:
    info = build_demo(logging_to, tmp_path / "work")
    predict_runs = list(reversed(Client(logging_to).history("predict")))  # oldest first, today last
    assert len(predict_runs) == DAYS + 2  # a run a day, the hotfix day's rescoring, today's
    by_day = [{p.name for p in run.outputs} for run in predict_runs]
    rescored = by_day[HOTFIX_DAY + 1]
    assert set(info.rescored_prediction_ids) == rescored and info.rescored_prediction_ids[0] in info.bad_prediction_ids
    assert set(info.bad_prediction_ids) == by_day[BAD_DAY] | by_day[BAD_DAY + 1] | {info.rescored_prediction_ids[0]}
    assert len(info.bad_prediction_ids) == 2 * MACHINES + 1
    assert len(info.good_prediction_ids) == (DAYS + 1 - 2) * MACHINES
    assert all(p.pointer_type.value == "endpoint" for run in predict_runs for p in run.outputs)


def test_the_demo_shows_components_tests_staleness_and_a_failed_run(logging_to: str, tmp_path: Path) -> None:
    info = build_demo(logging_to, tmp_path / "work")
    client = Client(logging_to)
    assert [c.name for c in client.components()] == ["clean", "featurize", "ingest", "predict", "train"]
    assert client.component("ingest").owner == "data-eng"
    assert client.component("featurize").tags == ["features"]
    assert client.get_run(info.culprit_run_id).test_results[0]["passed"]  # the tests could not see the units
    stale = [client.get_run(i) for i in info.stale_run_ids]
    assert [r.component_name for r in stale] == ["predict", "predict", "predict"]  # the last day twice, today
    assert all("Dependency 'train'" in r.stale[0] for r in stale)
    (failed,) = [client.get_run(i) for i in info.failed_run_ids]
    assert failed.status == "failed" and "TimeoutError" in (failed.error or "")
    today_predict = client.get_run(info.run_ids["predict"][-1])
    assert today_predict.test_results and today_predict.code_snapshot  # logged by the decorator itself


def test_the_hotfix_day_is_rescored_with_featurizes_code_changed_and_every_machine_alerts(
    logging_to: str, tmp_path: Path
) -> None:
    info = build_demo(logging_to, tmp_path / "work")
    client = Client(logging_to)
    featurizes = [r for r in reversed(client.history("featurize")) if r.status == "success"]
    hotfix = client.get_run(info.hotfix_run_id)
    morning = featurizes[featurizes.index(next(r for r in featurizes if r.id == hotfix.id)) - 1]
    assert hotfix.inputs == morning.inputs  # the same clean batch, version and all
    assert hotfix.code_hash != morning.code_hash
    assert {r.code_hash for r in featurizes if r.id != hotfix.id} == {morning.code_hash}  # the only change
    assert all(not client.pointer(p).flag for p in info.rescored_prediction_ids[1:])
    (rescoring,) = [
        r for r in client.history("predict") if info.rescored_prediction_ids[0] in {p.name for p in r.outputs}
    ]
    assert rescoring.metrics == {"machines": MACHINES, "alerts": MACHINES}
    good, bad = info.hotfix_diff
    assert good in info.good_prediction_ids and bad == info.rescored_prediction_ids[0]


def test_the_same_seed_gives_the_same_demo(mltrace_home: Path, tmp_path: Path) -> None:
    described = []
    for name in ("a", "b"):
        client_module._overrides.clear()
        info = build_demo(f"sqlite:///{tmp_path / name}.db", tmp_path / name)
        described.append({k: v for k, v in asdict(info).items() if k not in ("db_uri", "workdir")})
    client_module._reset_default()
    assert described[0] == described[1]
    other = build_demo(f"sqlite:///{tmp_path / 'c'}.db", tmp_path / "c", seed=8)
    client_module._reset_default()
    assert set(other.bad_prediction_ids).isdisjoint(described[0]["bad_prediction_ids"])


def _populate(*args: str, home: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLTRACE_", "DB_URI"))}
    env.update(MLTRACE_HOME=str(home), MLTRACE_FLUSH_INTERVAL="0.01", **extra_env)
    script = Path(__file__).resolve().parents[1] / "populate_db.py"
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("db_uri", ["sqlite"], indirect=True)  # build_demo itself is tested on both backends
def test_populate_db_fills_once_and_refuses_to_duplicate(db_uri: str, mltrace_home: Path) -> None:
    first = _populate("--db", db_uri, home=mltrace_home)
    assert first.returncode == 0, first.stderr
    assert "flagged 17 bad predictions" in first.stdout
    assert f"mltrace --db {db_uri} review" in first.stdout
    assert f"mltrace --db {db_uri} trace " in first.stdout
    runs = len(Client(db_uri).recent(500))

    again = _populate("--db", db_uri, home=mltrace_home)
    assert again.returncode == 1
    assert again.stdout == "" and "already holds runs; run again with --reset" in again.stderr
    assert len(again.stderr.splitlines()) == 1
    assert _populate("--db", db_uri, "--if-empty", home=mltrace_home).returncode == 0
    assert len(Client(db_uri).recent(500)) == runs

    reset = _populate("--db", db_uri, "--reset", home=mltrace_home)
    assert reset.returncode == 0, reset.stderr
    assert len(Client(db_uri).recent(500)) == runs


def test_populate_db_defaults_to_the_demos_own_database_not_the_embedded_one(mltrace_home: Path) -> None:
    done = _populate(home=mltrace_home)
    assert done.returncode == 0, done.stderr
    assert f"mltrace --db sqlite:///{mltrace_home / 'demo.db'} review\n" in done.stdout
    assert (mltrace_home / "demo.db").exists() and not (mltrace_home / "mltrace.db").exists()
    assert (mltrace_home / "demo-data" / "data" / "raw").is_dir()


def test_populate_db_uses_mltrace_db_uri_when_it_is_set(mltrace_home: Path, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'team.db'}"
    done = _populate(home=mltrace_home, MLTRACE_DB_URI=uri)
    assert done.returncode == 0, done.stderr
    assert "mltrace review\n" in done.stdout  # the database mltrace uses anyway needs no --db
    assert Client(uri).recent(1) and not (mltrace_home / "demo.db").exists()
