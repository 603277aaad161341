"""The decorators record every call, exactly and without getting in the pipeline's way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

import mltrace
from mltrace.tracking.hashing import content_hash


def stored_runs(component: str):
    assert mltrace.flush(10)
    return mltrace.get_history(component)


def test_decorated_call_records_inputs_outputs_code_and_dependencies(logging_to: str, tmp_path) -> None:
    raw = tmp_path / "raw.csv"
    raw.write_text("a,b\n1,2\n")

    @mltrace.register("clean", inputs=[str(raw)], output_vars=["out"])
    def clean(day: int) -> str:
        out = str(tmp_path / f"clean-{day}.csv")
        return out

    @mltrace.register("predict", input_vars=["features"], output_vars=["ids"], endpoint=True)
    def predict(features: str) -> int:
        ids = mltrace.create_random_ids(3)
        return len(ids)

    path = clean(1)
    assert predict(path) == 3
    (clean_run,) = stored_runs("clean")
    (predict_run,) = stored_runs("predict")
    assert [p.name for p in clean_run.inputs] == [str(raw)]
    assert clean_run.inputs[0].value_hash is not None  # the file's version
    assert [p.name for p in clean_run.outputs] == [path]
    assert predict_run.dependencies == [clean_run.id]
    assert {p.pointer_type.value for p in predict_run.outputs} == {"endpoint"}
    assert len(predict_run.outputs) == 3
    full = mltrace.get_component_run_information(clean_run.id)
    assert "def clean(day: int)" in full.code_snapshot and len(full.code_hash) == 64
    assert full.status == "success" and full.end_timestamp >= full.start_timestamp


def test_failing_function_is_recorded_as_failed_and_reraises_unchanged(logging_to: str) -> None:
    class PipelineError(Exception):
        pass

    error = PipelineError("bad batch")

    @mltrace.register("etl", inputs=["raw.csv"])
    def etl() -> None:
        raise error

    with pytest.raises(PipelineError) as caught:
        etl()
    assert caught.value is error
    (run,) = stored_runs("etl")
    assert run.status == "failed"
    assert "PipelineError: bad batch" in run.error
    assert [p.name for p in run.inputs] == ["raw.csv"]


def test_non_ascii_code_and_names_are_logged(logging_to: str) -> None:
    @mltrace.register("nettoyage_données", outputs=["données/propres.csv"])
    def nettoyer() -> str:
        return "é—✓ 数据"  # non-ASCII source

    assert nettoyer() == "é—✓ 数据"
    (run,) = stored_runs("nettoyage_données")
    assert "数据" in mltrace.get_component_run_information(run.id).code_snapshot
    assert run.outputs[0].name == "données/propres.csv"


def test_dataframes_with_the_same_repr_get_different_hashes() -> None:
    a = pd.DataFrame({"x": range(1000)})
    b = a.copy()
    b.loc[500, "x"] = -1
    assert repr(a) == repr(b)
    assert content_hash(a) != content_hash(b)
    assert content_hash(a) == content_hash(a.copy())
    assert content_hash(np.arange(10)) != content_hash(np.arange(10).astype("float64"))


def test_output_vars_holding_objects_are_versioned_by_content(logging_to: str) -> None:
    @mltrace.register("make", output_vars=["frame"])
    def make(n: int) -> None:
        frame = pd.DataFrame({"x": range(n)})

    @mltrace.register("use", input_vars=["frame"])
    def use(frame: pd.DataFrame) -> None:
        pass

    make(5)
    use(pd.DataFrame({"x": range(5)}))
    (made,), (used,) = stored_runs("make"), stored_runs("use")
    assert made.outputs[0].name.startswith("DataFrame-")
    assert used.dependencies == [made.id]


def test_unknown_decorator_arguments_raise_type_error_when_applied() -> None:
    with pytest.raises(TypeError):
        mltrace.register("x", input_filename=["a"])  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="inputs must be a list of strings"):
        mltrace.register("x", inputs="data.csv")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="staleness_threshold"):
        mltrace.register("x", staleness_threshold="soon")  # type: ignore[arg-type]


def test_missing_local_is_warned_and_recorded_and_the_value_still_returned(logging_to: str) -> None:
    @mltrace.register("train", output_vars=["model_path"])
    def train() -> int:
        return 42

    with pytest.warns(UserWarning, match="'model_path' named in output_vars"):
        assert train() == 42
    (run,) = stored_runs("train")
    assert run.status == "success"
    assert any("model_path" in w for w in run.warnings)


def test_missing_local_with_warnings_as_errors_still_returns(logging_to: str) -> None:
    @mltrace.register("train2", output_vars=["nope"])
    def train() -> int:
        return 7

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert train() == 7
    assert stored_runs("train2")[0].warnings


def test_capturing_locals_keeps_an_active_tracer_running(logging_to: str) -> None:
    seen_lines: list[int] = []

    def tracer(frame, event, arg):
        if frame.f_code.co_name == "step":
            if event == "line":
                seen_lines.append(frame.f_lineno)
            return tracer
        return None

    @mltrace.register("step", output_vars=["out"])
    def step() -> str:
        out = "x.csv"
        return out

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        step()
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)
    assert len(seen_lines) >= 2
    assert stored_runs("step")[0].outputs[0].name == "x.csv"


def test_component_tests_results_are_stored_and_a_failing_test_fails_the_run(logging_to: str) -> None:
    class NotEmpty(mltrace.Test):
        def test_rows(self, rows: list) -> None:
            assert rows, "no rows"

    component = mltrace.Component("load", owner="ana", description="loads rows", afterTests=[NotEmpty], tags=["etl"])

    @component.run(output_vars=["path"])
    def load(n: int) -> int:
        rows = list(range(n))
        path = "rows.csv"
        return len(rows)

    assert load(3) == 3
    with pytest.raises(AssertionError, match="no rows"):
        load(0)
    failed, passed = stored_runs("load")
    assert passed.test_results == [
        {"test": "NotEmpty", "name": "test_rows", "phase": "after", "passed": True, "error": None}
    ]
    assert failed.status == "failed" and failed.test_results[0]["passed"] is False
    info = mltrace.get_component_information("load")
    assert (info.owner, info.description, info.tags) == ("ana", "loads rows", ["etl"])


def test_component_metadata_given_later_updates_it(logging_to: str) -> None:
    @mltrace.Component("score", owner="old").run
    def first() -> None:
        pass

    first()
    mltrace.flush(10)

    @mltrace.Component("score", owner="new", description="scores", tags=["prod"]).run
    def second() -> None:
        pass

    second()
    mltrace.flush(10)
    mltrace.create_component("score", description="scores users")
    info = mltrace.get_component_information("score")
    assert (info.owner, info.description, info.tags) == ("new", "scores users", ["prod"])


def test_save_and_load_record_artifacts(logging_to: str, tmp_path) -> None:
    model_path = str(tmp_path / "model.pkl")

    @mltrace.register("fit")
    def fit() -> None:
        mltrace.save({"w": [1, 2]}, model_path)

    @mltrace.register("serve")
    def serve() -> dict:
        return mltrace.load(model_path)

    fit()
    assert serve() == {"w": [1, 2]}
    (fit_run,), (serve_run,) = stored_runs("fit"), stored_runs("serve")
    assert fit_run.outputs[0].name == model_path
    assert serve_run.dependencies == [fit_run.id]


def test_auto_log_records_path_arguments_and_frames(logging_to: str) -> None:
    @mltrace.register("auto", auto_log=True)
    def auto(source: str, limit: int = 3) -> int:
        result = pd.DataFrame({"x": range(limit)})
        return len(result)

    assert auto("in/data.csv") == 3
    (run,) = stored_runs("auto")
    assert [p.name for p in run.inputs] == ["in/data.csv"]
    assert run.outputs and run.outputs[0].name.startswith("DataFrame-")


def test_staleness_threshold_accepts_timedelta(logging_to: str) -> None:
    @mltrace.register("t", staleness_threshold=timedelta(hours=1))
    def t() -> None:
        pass

    t()
    assert stored_runs("t")


def test_manual_component_run_logging(logging_to: str) -> None:
    run = mltrace.ComponentRun("manual")
    run.set_start_timestamp()
    run.add_input("a.csv")
    run.add_outputs(["b.csv"])
    run.set_code_snapshot(b"print('hi')")
    run.set_end_timestamp()
    mltrace.log_component_run(run)
    (stored,) = stored_runs("manual")
    assert [p.name for p in stored.outputs] == ["b.csv"]
    assert stored.code_hash == run.code_hash


def test_params_and_metrics_logged_inside_a_call_are_stored(logging_to: str) -> None:
    @mltrace.register("fit_model")
    def fit(lr: float) -> float:
        mltrace.log_params(lr=lr, layers=[64, 32])
        mltrace.log_metrics({"auc": 0.91})
        return lr

    fit(0.1)
    (run,) = stored_runs("fit_model")
    assert run.params == {"lr": 0.1, "layers": [64, 32]}
    assert run.metrics == {"auc": 0.91}


def test_the_default_staleness_threshold_comes_from_the_settings(logging_to: str, monkeypatch) -> None:
    monkeypatch.setenv("MLTRACE_STALENESS_DAYS", "2")

    @mltrace.register("daily")
    def daily() -> None:
        pass

    assert daily.__mltrace_spec__.staleness_threshold_s == 2 * 86400
    run = mltrace.ComponentRun("manual_old")
    run.set_start_timestamp()
    run.set_end_timestamp()
    mltrace.log_component_run(run)
    assert stored_runs("manual_old")


def test_importing_mltrace_leaves_the_database_layer_for_the_first_run_stored(tmp_path) -> None:
    script = f"""
import sys
import mltrace
heavy = [m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic", "flask", "psycopg2")]
assert not heavy and "urllib.request" not in sys.modules, heavy

@mltrace.register("light", outputs=["out.csv"])
def step():
    return 1

mltrace.set_db_uri("sqlite:///{tmp_path / "light.db"}")
step()
assert mltrace.flush(30)
print([run.component_name for run in mltrace.get_history("light")])
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env={**os.environ, "MLTRACE_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['light']"


def test_the_store_is_made_once_when_the_writer_and_the_caller_ask_together(tmp_path, monkeypatch) -> None:
    import threading

    from mltrace.client import Client
    from mltrace.db import store as store_module

    made: list[object] = []

    class SlowStore(store_module.Store):  # the first use imports SQLAlchemy: a slow start, as here
        def __init__(self, uri: str, timeout: float | None = None) -> None:
            made.append(self)
            time.sleep(0.2)
            super().__init__(uri, timeout)

    monkeypatch.setattr(store_module, "Store", SlowStore)
    client = Client(f"sqlite:///{tmp_path / 'once.db'}")
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(client.store)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and seen[0] is seen[1] is made[0]
