"""Coroutine functions are recorded when the awaited body ends; generators when they are exhausted,
raise or are closed, each with its local variables at that point."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import mltrace


def stored_runs(component: str):
    assert mltrace.flush(10)
    return mltrace.get_history(component)


def run_async(make: Any, *args: Any) -> Any:
    """`asyncio.run(make(*args))` in a thread of its own: a browser test of the same worker may leave its
    event loop running in this one."""

    def run() -> Any:
        coroutine: Coroutine[Any, Any, Any] = make(*args)
        return asyncio.run(coroutine)

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_a_coroutine_function_is_recorded_after_its_awaited_body(logging_to: str) -> None:
    @mltrace.register("fetch", output_vars=["path"])
    async def fetch(day: int) -> str:
        await asyncio.sleep(0.05)
        mltrace.log_params(day=day)
        path = f"raw/{day}.csv"
        return path

    assert inspect.iscoroutinefunction(fetch)
    assert run_async(fetch, 3) == "raw/3.csv"
    (run,) = stored_runs("fetch")
    assert run.status == "success"
    assert [p.name for p in run.outputs] == ["raw/3.csv"]
    assert run.params == {"day": 3}
    assert run.duration_ms >= 50


def test_concurrent_coroutines_each_keep_their_own_params_and_locals(logging_to: str) -> None:
    component = mltrace.Component("score")

    @component.run(output_vars=["result"])
    async def score(n: int, delay: float) -> int:
        mltrace.log_params(n=n)
        await asyncio.sleep(delay)
        mltrace.log_metrics(n_again=n)
        result = f"scores/{n}.json"
        return n

    async def both() -> list[int]:
        return list(await asyncio.gather(score(1, 0.06), score(2, 0.01)))

    assert run_async(both) == [1, 2]
    runs = sorted(stored_runs("score"), key=lambda r: r.params["n"])
    assert [(r.params, r.metrics, [p.name for p in r.outputs]) for r in runs] == [
        ({"n": 1, "delay": 0.06}, {"n_again": 1}, ["scores/1.json"]),  # `delay`: a scalar argument (log_args)
        ({"n": 2, "delay": 0.01}, {"n_again": 2}, ["scores/2.json"]),
    ]


def test_a_failing_coroutine_is_recorded_as_failed_with_its_locals_and_reraises(logging_to: str) -> None:
    @mltrace.register("upload", output_vars=["partial"])
    async def upload() -> None:
        partial = "tmp/partial.csv"
        await asyncio.sleep(0)
        raise ConnectionError("reset")

    with pytest.raises(ConnectionError, match="reset"):
        run_async(upload)
    (run,) = stored_runs("upload")
    assert run.status == "failed" and "ConnectionError: reset" in run.error
    assert [p.name for p in run.outputs] == ["tmp/partial.csv"]


def test_a_cancelled_coroutine_is_recorded_as_failed(logging_to: str) -> None:
    @mltrace.register("slow")
    async def slow() -> None:
        await asyncio.sleep(10)

    async def cancel_it() -> None:
        task = asyncio.create_task(slow())
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_async(cancel_it)
    (run,) = stored_runs("slow")
    assert run.status == "failed" and "CancelledError" in run.error


def test_a_generator_is_recorded_when_exhausted_with_its_final_locals(logging_to: str) -> None:
    @mltrace.register("batches", output_vars=["written"])
    def batches(n: int):
        written = []
        for i in range(n):
            written.append(f"batch/{i}.csv")
            mltrace.log_metrics(last=i)
            yield i
        return "done"

    generator = batches(3)
    assert inspect.isgenerator(generator)
    assert next(generator) == 0
    assert mltrace.flush(10) and not mltrace.get_recent_run_ids()  # still running: nothing recorded yet
    with pytest.raises(StopIteration) as stop:
        while True:
            next(generator)
    assert stop.value.value == "done"
    (run,) = stored_runs("batches")
    assert run.status == "success" and run.metrics == {"last": 2}
    assert [p.name for p in run.outputs] == ["batch/0.csv", "batch/1.csv", "batch/2.csv"]


def test_a_generator_closed_early_is_recorded_with_its_locals_at_that_point(logging_to: str) -> None:
    @mltrace.register("stream", output_vars=["current"])
    def stream():
        for i in range(100):
            current = f"part/{i}"
            yield i

    for item in stream():
        if item == 2:
            break
    (run,) = stored_runs("stream")
    assert run.status == "success"
    assert [p.name for p in run.outputs] == ["part/2"]
    assert "Closed by its consumer before it was exhausted." in run.warnings


def test_a_generator_passes_sent_and_thrown_values_and_records_its_failure(logging_to: str) -> None:
    @mltrace.register("echo")
    def echo():
        received = yield "ready"
        while True:
            try:
                received = yield f"got {received}"
            except KeyError:
                received = "a KeyError"
            if received == "stop":
                raise RuntimeError("stopped")

    generator = echo()
    assert next(generator) == "ready"
    assert generator.send("x") == "got x"
    assert generator.throw(KeyError("k")) == "got a KeyError"
    with pytest.raises(RuntimeError, match="stopped"):
        generator.send("stop")
    (run,) = stored_runs("echo")
    assert run.status == "failed" and "RuntimeError: stopped" in run.error


def test_a_generator_that_is_never_started_records_nothing(logging_to: str) -> None:
    @mltrace.register("never")
    def never():
        yield 1

    generator = never()
    del generator
    assert mltrace.flush(10)
    assert mltrace.get_recent_run_ids() == []


def test_an_async_generator_is_recorded_when_exhausted_and_when_closed(logging_to: str) -> None:
    @mltrace.register("pages", output_vars=["page"])
    async def pages(n: int):
        for i in range(n):
            page = f"page/{i}.json"
            await asyncio.sleep(0)
            yield i

    async def consume() -> list[int]:
        whole = [i async for i in pages(3)]
        partial = pages(10)
        async for i in partial:
            if i == 1:
                break
        await partial.aclose()
        return whole

    assert inspect.isasyncgenfunction(pages)
    assert run_async(consume) == [0, 1, 2]
    closed, exhausted = stored_runs("pages")
    assert [p.name for p in exhausted.outputs] == ["page/2.json"] and not exhausted.warnings
    assert [p.name for p in closed.outputs] == ["page/1.json"]
    assert "Closed by its consumer before it was exhausted." in closed.warnings
