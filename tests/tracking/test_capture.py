"""Local variables are read at return without a hook on the body's calls, and the decorated function
behaves, traces, debugs and measures exactly like the function the user wrote."""

from __future__ import annotations

import importlib.util
import io
import pdb
import sys
import traceback
from pathlib import Path
from types import ModuleType

import coverage
import pytest

import mltrace

MODULE = """
import mltrace

LIMIT = 100


def route(n, scale=2, *, offset=0):
    total = 0
    for i in range(n):
        total += i * scale
    if total > LIMIT:
        out = "big.csv"
        return out
    out = f"small-{total + offset}.csv"
    return out


def fail(n):
    partial = f"partial-{n}.csv"
    raise ValueError(f"bad {n}")


def make_counter():
    count = 0

    def bump(step):
        nonlocal count
        count += step
        out = f"count-{count}.csv"
        return out

    return bump, lambda: count
"""


def stored_runs(component: str):
    assert mltrace.flush(10)
    return mltrace.get_history(component)


def load_module(tmp_path: Path, name: str, source: str = MODULE) -> ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def line_of(module: ModuleType, text: str) -> int:
    return Path(module.__file__).read_text().splitlines().index(text) + 1


def test_the_body_runs_without_a_trace_function(logging_to: str) -> None:
    outside = sys.gettrace()

    @mltrace.register("untraced", output_vars=["tracer"])
    def untraced() -> object:
        tracer = sys.gettrace()
        return tracer

    assert untraced() is outside  # no trace function of mltrace's taxes the body's calls
    assert stored_runs("untraced")


def test_the_copy_keeps_closures_globals_defaults_and_metadata(logging_to: str, tmp_path: Path) -> None:
    module = load_module(tmp_path, "pipeline_meta")
    bump, count = module.make_counter()
    decorated_bump = mltrace.register("bump", output_vars=["out"])(bump)
    assert decorated_bump(2) == "count-2.csv" and count() == 2
    assert bump(3) == "count-5.csv" and decorated_bump(1) == "count-6.csv"  # one cell, shared both ways
    route = mltrace.register("route", output_vars=["out"])(module.route)
    assert route(3) == "small-6.csv" and route(3, 1, offset=10) == "small-13.csv"
    module.LIMIT = 1  # a global changed after decoration is seen
    assert route(3) == "big.csv"
    assert route.__wrapped__ is module.route and route.__name__ == "route"
    assert [p.name for r in stored_runs("route") for p in r.outputs] == ["big.csv", "small-13.csv", "small-6.csv"]
    assert [p.name for r in stored_runs("bump") for p in r.outputs] == ["count-6.csv", "count-2.csv"]


def test_tracebacks_point_at_the_users_line_and_the_locals_at_the_raise_are_kept(
    logging_to: str, tmp_path: Path
) -> None:
    module = load_module(tmp_path, "pipeline_fail")
    fail = mltrace.register("fail", output_vars=["partial"])(module.fail)
    with pytest.raises(ValueError, match="bad 4") as caught:
        fail(4)
    last = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert (last.filename, last.lineno, last.line) == (
        module.__file__,
        line_of(module, '    raise ValueError(f"bad {n}")'),
        'raise ValueError(f"bad {n}")',
    )
    (run,) = stored_runs("fail")
    assert run.status == "failed" and [p.name for p in run.outputs] == ["partial-4.csv"]


def trace_events(fn, *args) -> list[tuple[str, int]]:
    events: list[tuple[str, int]] = []
    name = fn.__name__

    def tracer(frame, event, arg):
        if frame.f_code.co_name != name:
            return None
        events.append((event, frame.f_lineno))
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args)
    except ValueError:
        pass
    finally:
        sys.settrace(previous)
    return events


def test_a_users_trace_function_sees_the_same_lines_and_events_as_without_mltrace(
    logging_to: str, tmp_path: Path
) -> None:
    from mltrace.tracking.capture import capturing_copy

    module = load_module(tmp_path, "pipeline_trace")
    assert capturing_copy(module.route) is not None and capturing_copy(module.fail) is not None
    for function, args in ((module.route, (3,)), (module.route, (30,)), (module.fail, (1,))):
        decorated = mltrace.register(function.__name__, output_vars=["out"])(function)
        assert trace_events(decorated, *args) == trace_events(function, *args)


def test_pdb_stops_at_a_breakpoint_inside_the_decorated_function(logging_to: str, tmp_path: Path) -> None:
    module = load_module(tmp_path, "pipeline_pdb")
    route = mltrace.register("route", output_vars=["out"])(module.route)
    output = io.StringIO()
    debugger = pdb.Pdb(stdin=io.StringIO("continue\np total\ncontinue\n"), stdout=output, nosigint=True)
    line = line_of(module, '    out = f"small-{total + offset}.csv"')
    debugger.set_break(module.__file__, line)
    assert debugger.runcall(route, 3) == "small-6.csv"
    assert f"{module.__file__}({line})route()" in output.getvalue()
    assert "(Pdb) 6" in output.getvalue()  # `p total` read the local at the breakpoint
    assert [p.name for p in stored_runs("route")[0].outputs] == ["small-6.csv"]


def test_coverage_measures_the_decorated_function_like_the_original(logging_to: str, tmp_path: Path) -> None:
    module = load_module(tmp_path, "pipeline_coverage")
    decorated = mltrace.register("route", output_vars=["out"])(module.route)

    def measure(fn) -> tuple[set[int], set[tuple[int, int]]]:
        previous = sys.gettrace()
        cov = coverage.Coverage(data_file=None, branch=True, include=[module.__file__])
        cov.start()
        try:
            fn(3)
        finally:
            cov.stop()
            sys.settrace(previous)
        data = cov.get_data()
        return set(data.lines(module.__file__) or ()), set(data.arcs(module.__file__) or ())

    assert measure(decorated) == measure(module.route)
    lines, _ = measure(decorated)
    assert line_of(module, '        out = "big.csv"') not in lines  # the branch not taken stays uncovered


def test_a_function_whose_source_cannot_be_read_still_has_its_locals_read(logging_to: str) -> None:
    namespace: dict = {}
    exec(compile("def generated(n):\n    out = f'gen-{n}.csv'\n    return out\n", "<generated>", "exec"), namespace)
    generated = mltrace.register("generated", output_vars=["out"])(namespace["generated"])
    assert generated(1) == "gen-1.csv"
    assert [p.name for p in stored_runs("generated")[0].outputs] == ["gen-1.csv"]


def test_a_function_whose_file_changed_since_import_runs_its_own_code(logging_to: str, tmp_path: Path) -> None:
    from mltrace.tracking.capture import capturing_copy  # imported here so the other tests run on any version

    module = load_module(tmp_path, "pipeline_edited")
    Path(module.__file__).write_text(MODULE.replace("i * scale", "i * scale * 1000"))  # same names, other code
    assert capturing_copy(module.route) is None  # the source no longer compiles to the function's code
    route = mltrace.register("route", output_vars=["out"])(module.route)
    assert route(3) == "small-6.csv"
    assert [p.name for p in stored_runs("route")[0].outputs] == ["small-6.csv"]


def test_a_method_with_private_names_has_its_locals_read(logging_to: str) -> None:
    class Step:
        def __init__(self) -> None:
            self.__rows = 3

        @mltrace.register("method", output_vars=["out"])
        def run(self) -> str:
            out = f"rows-{self.__rows}.csv"
            return out

    assert Step().run() == "rows-3.csv"
    assert [p.name for p in stored_runs("method")[0].outputs] == ["rows-3.csv"]
