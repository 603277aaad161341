"""Steps marked cache=True skip work already done, exactly: a hit returns the earlier result without running the body
and is recorded as a `cached` run pointing at the run it reused; any change to the key runs the body."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path

import pytest

import mltrace
from mltrace.artifacts.blobs import BlobStore
from mltrace.tracking import caching
from mltrace.tracking.decorator import instrument
from mltrace.tracking.spec import make_spec


def runs_of(component: str):
    assert mltrace.flush(10)
    return mltrace.get_history(component)


def forget_this_process() -> None:
    """As if the next call came from another process: only the database and the artifact store remember."""
    caching._mine.clear()
    caching._latest_mine.clear()


@pytest.mark.parametrize("other_process", [False, True])
def test_a_hit_returns_the_earlier_result_without_running_the_body(pipeline_store: BlobStore, other_process) -> None:
    ran: list[int] = []

    @mltrace.register("square", cache=True, outputs=["squares.txt"])
    def square(x: int) -> dict:
        ran.append(x)
        return {"square": x * x}

    first = square(3)
    assert mltrace.flush(10)
    if other_process:
        forget_this_process()
    again = square(3)
    assert again == first == {"square": 9} and again is not first
    assert ran == [3]
    newest, oldest = runs_of("square")
    assert (oldest.status, newest.status) == ("success", "cached")
    assert [(p.name, p.value_hash) for p in newest.outputs] == [(p.name, p.value_hash) for p in oldest.outputs]
    client = mltrace.client.default_client()
    assert client.reused_runs([newest.id]) == {newest.id: oldest.id}
    assert mltrace.cache_plan(square, 3).hit and mltrace.cache_plan(square, 3).reused_run_id in (oldest.id, None)


def test_a_changed_argument_param_code_or_input_file_runs_the_body_and_the_plan_names_it(
    pipeline_store: BlobStore, tmp_path: Path
) -> None:
    data = tmp_path / "clean.csv"
    data.write_text("a\n1\n")
    ran: list[str] = []

    def featurize(path: str, scale: int) -> int:
        ran.append("v1")
        return len(Path(path).read_text()) * scale

    def step(params: dict, func=featurize):
        """The step as declared with these params (the key's declared params)."""
        return instrument(func, dataclasses.replace(make_spec("featurize", cache=True), params=params))

    v1 = step({"lr": 0.1})
    assert v1(str(data), 2) == 8
    assert v1(str(data), 2) == 8 and len(ran) == 1

    plan = mltrace.cache_plan(v1, str(data), 3)
    assert not plan.hit and plan.changed == ["the argument 'scale'"]
    assert "the argument 'scale' changed" in plan.reason
    assert v1(str(data), 3) == 12 and len(ran) == 2

    data.write_text("a\n2\n3\n")  # same name, other bytes
    plan = mltrace.cache_plan(v1, str(data), 3)
    assert plan.changed == [f"the content of the file '{data}'"]
    assert v1(str(data), 3) == 18 and len(ran) == 3

    with_other_param = step({"lr": 0.2})
    plan = mltrace.cache_plan(with_other_param, str(data), 3)
    assert plan.changed == ["the param 'lr'"]
    assert with_other_param(str(data), 3) == 18 and len(ran) == 4

    def featurize_v2(path: str, scale: int) -> int:  # the step's code changed
        ran.append("v2")
        return len(Path(path).read_text()) * scale + 1

    v2 = step({"lr": 0.2}, featurize_v2)
    plan = mltrace.cache_plan(v2, str(data), 3)
    assert plan.changed == ["the code"]
    assert v2(str(data), 3) == 19 and ran[-1] == "v2"


def test_a_hit_whose_result_was_deleted_from_the_store_runs_the_body(pipeline_store: BlobStore) -> None:
    ran: list[int] = []

    @mltrace.register("train", cache=True)
    def train(n: int) -> list:
        ran.append(n)
        return list(range(n))

    train(5)
    assert mltrace.flush(10)
    for blob in list(pipeline_store.blobs()):
        pipeline_store.delete(blob.digest)
    plan = mltrace.cache_plan(train, 5)
    assert not plan.hit and "its result" in plan.reason and "missing from the artifact store" in plan.reason
    assert train(5) == [0, 1, 2, 3, 4]
    assert ran == [5, 5]
    assert [r.status for r in runs_of("train")] == ["success", "success"]


def test_a_cached_run_puts_back_the_files_it_stored_and_records_the_same_lineage(
    pipeline_store: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("clean.csv").write_text("x\n1\n2\n")

    @mltrace.register("clean", output_vars=["out"])
    def clean() -> str:
        out = "clean.csv"
        return out

    @mltrace.register("featurize", cache=True, input_vars=["path"])
    def featurize(path: str) -> str:
        Path("features.csv").write_text(Path(path).read_text().upper())
        mltrace.log_artifact("features.csv")
        return "features.csv"

    @mltrace.register("predict", input_vars=["features"])
    def predict(features: str) -> int:
        return len(Path(features).read_text())

    clean()
    first = featurize("clean.csv")
    predict(first)
    Path("features.csv").unlink()  # a fresh checkout
    assert mltrace.flush(10)
    forget_this_process()
    assert featurize("clean.csv") == "features.csv"
    assert Path("features.csv").read_text() == "X\n1\n2\n"  # put back from the artifact store
    predict("features.csv")
    cached, original = runs_of("featurize")
    (clean_run,) = runs_of("clean")
    assert cached.status == "cached" and cached.dependencies == original.dependencies == [clean_run.id]
    assert {(p.name, p.value_hash) for p in cached.outputs} == {(p.name, p.value_hash) for p in original.outputs}
    graph = mltrace.trace("features.csv")
    node = next(n for n in graph["nodes"] if n["id"] == f"run:{cached.id}")
    assert node["status"] == "cached" and node["reused_run_id"] == original.id
    later_predict = runs_of("predict")[0]
    assert later_predict.dependencies == [cached.id]


def test_cache_off_runs_every_call(pipeline_store: BlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[int] = []

    @mltrace.register("step", cache=True)
    def step(x: int) -> int:
        ran.append(x)
        return x

    step(1)
    monkeypatch.setenv("MLTRACE_CACHE", "off")
    step(1)
    assert ran == [1, 1]
    assert "MLTRACE_CACHE=off" in mltrace.cache_plan(step, 1).reason
    monkeypatch.delenv("MLTRACE_CACHE")
    step(1)
    assert ran == [1, 1]


def test_an_argument_without_a_content_hash_runs_the_body_and_says_why(pipeline_store: BlobStore) -> None:
    import threading

    ran: list[int] = []

    @mltrace.register("locked", cache=True)
    def locked(lock) -> int:
        ran.append(1)
        return 1

    lock = threading.Lock()
    with pytest.warns(UserWarning, match="was not cached: the argument 'lock' has no content hash"):
        locked(lock)
    with pytest.warns(UserWarning):
        locked(lock)
    assert ran == [1, 1]
    assert "the argument 'lock' has no content hash" in mltrace.cache_plan(locked, lock).reason


def test_failed_runs_are_never_reused(pipeline_store: BlobStore) -> None:
    attempts: list[int] = []

    @mltrace.register("flaky", cache=True)
    def flaky(x: int) -> int:
        attempts.append(x)
        if len(attempts) == 1:
            raise RuntimeError("transient")
        return x

    with pytest.raises(RuntimeError):
        flaky(1)
    assert flaky(1) == 1 and flaky(1) == 1
    assert attempts == [1, 1]
    assert [r.status for r in runs_of("flaky")] == ["cached", "success", "failed"]


def test_coroutine_steps_are_cached_and_generators_refused(pipeline_store: BlobStore) -> None:
    ran: list[int] = []

    @mltrace.register("fetch", cache=True)
    async def fetch(x: int) -> int:
        ran.append(x)
        return x + 1

    assert asyncio.run(fetch(1)) == 2 and asyncio.run(fetch(1)) == 2
    assert ran == [1]
    with pytest.raises(TypeError, match="not a generator"):

        @mltrace.register("stream", cache=True)
        def stream():
            yield 1


def test_component_run_takes_cache_too(pipeline_store: BlobStore) -> None:
    ran: list[int] = []
    component = mltrace.Component("train", owner="ml")

    @component.run(cache=True)
    def train(n: int) -> int:
        ran.append(n)
        return n

    assert train(2) == train(2) == 2
    assert ran == [2]
    assert [r.status for r in runs_of("train")] == ["cached", "success"]


def test_a_step_without_cache_pays_nothing_for_it(pipeline_store: BlobStore) -> None:
    @mltrace.register("plain")
    def plain() -> int:
        return 1

    assert not hasattr(plain, "__mltrace_cached__")
    with pytest.raises(TypeError, match="cache=True"):
        mltrace.cache_plan(plain)
    assert os.environ.get("MLTRACE_CACHE") is None
