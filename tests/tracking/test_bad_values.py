"""A value the store cannot keep as it is never costs the run: it is recorded as well as it can be,
the same way every time, and the run's warnings say what changed."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from pathlib import Path

import pandas as pd
import pytest

import mltrace
from mltrace.entities.limits import MAX_JSON_DEPTH, MAX_POINTER_NAME_BYTES, json_depth

BAD_NAME = os.fsdecode(b"bad-\xff.csv")  # a file name with a byte that is not UTF-8: a lone surrogate


def stored_runs(component: str):
    assert mltrace.flush(10)
    return mltrace.get_history(component)


def quietly(fn, *args):
    """Calls a decorated function whose capture warns, as a pipeline would (warnings shown, not raised)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def test_a_dataframe_with_list_cells_keeps_its_run_and_its_other_pointers(logging_to: str, tmp_path: Path) -> None:
    raw = tmp_path / "raw.csv"
    raw.write_text("ids\n")

    @mltrace.register("explode", inputs=[str(raw)], output_vars=["frame", "report"])
    def explode() -> int:
        frame = pd.DataFrame({"ids": [[1, 2], [3], []], "name": ["a", "b", "c"]})
        report = str(tmp_path / "report.txt")
        return len(frame)

    @mltrace.register("count", input_vars=["frame"])
    def count(frame: pd.DataFrame) -> int:
        return len(frame)

    assert explode() == 3
    assert count(pd.DataFrame({"ids": [[1, 2], [3], []], "name": ["a", "b", "c"]})) == 3
    (made,) = stored_runs("explode")
    assert [p.name for p in made.inputs] == [str(raw)]
    report, frame_pointer = sorted(made.outputs, key=lambda p: p.name.startswith("DataFrame-"))
    assert report.name == str(tmp_path / "report.txt")
    assert frame_pointer.name == f"DataFrame-{frame_pointer.value_hash}"
    (counted,) = stored_runs("count")
    assert counted.dependencies == [made.id]  # an equal frame in another call is the same version


def test_an_object_without_content_encoding_is_recorded_without_a_version_and_noted(logging_to: str) -> None:
    class Connection:
        def __init__(self) -> None:
            self.lock = threading.Lock()

    @mltrace.register("connect", output_vars=["connection", "path"])
    def connect() -> None:
        connection = Connection()
        path = "out/connected.txt"

    with pytest.warns(UserWarning, match="recorded without a version: pickle cannot save it"):
        connect()
    (run,) = stored_runs("connect")
    assert sorted((p.name, p.value_hash) for p in run.outputs) == [("Connection", None), ("out/connected.txt", None)]
    assert any("Connection is recorded without a version" in w for w in run.warnings)


def test_pointer_names_with_undecodable_bytes_are_stored_escaped_and_keep_their_lineage(logging_to: str) -> None:
    @mltrace.register("write_bad", outputs=[BAD_NAME], output_vars=["written"])
    def write_bad() -> None:
        written = os.fsdecode(b"also-\xfe\xff.csv")

    @mltrace.register("read_bad", inputs=[BAD_NAME])
    def read_bad() -> None:
        pass

    quietly(write_bad)
    quietly(read_bad)
    (written,) = stored_runs("write_bad")
    assert sorted(p.name for p in written.outputs) == ["also-\\xfe\\xff.csv", "bad-\\xff.csv"]
    assert any("lone surrogate (U+DCFF)" in w and "bad-\\\\xff.csv" in w for w in written.warnings)
    (read,) = stored_runs("read_bad")
    assert read.dependencies == [written.id]


def test_over_long_pointer_names_are_cut_with_a_hash_of_the_whole_name(logging_to: str) -> None:
    first, second = "x" * 20_000 + "a", "x" * 20_000 + "b"

    @mltrace.register("long_names", output_vars=["names"])
    def long_names() -> None:
        names = [first, second]

    quietly(long_names)
    (run,) = stored_runs("long_names")
    stored = sorted(p.name for p in run.outputs)
    assert len(stored) == 2 and all(len(n.encode()) <= MAX_POINTER_NAME_BYTES for n in stored)
    expected = sorted(f"…sha256:{hashlib.sha256(n.encode()).hexdigest()}" for n in (first, second))
    assert sorted(n[n.index("…") :] for n in stored) == expected
    assert sum("is 20001 bytes long" in w for w in run.warnings) == 2


def test_params_nested_without_end_are_stored_cut_and_marked(logging_to: str) -> None:
    @mltrace.register("deep_params")
    def deep_params() -> None:
        nested: list = []
        for _ in range(600):
            nested = [nested]
        mltrace.log_params(nested=nested, lr=0.1)
        mltrace.log_metrics(auc=0.9)

    quietly(deep_params)
    (run,) = stored_runs("deep_params")
    assert run.params["lr"] == 0.1 and run.metrics == {"auc": 0.9}
    assert json_depth(run.params) == MAX_JSON_DEPTH
    assert f"<nested deeper than {MAX_JSON_DEPTH} levels: cut>" in json.dumps(run.params)
    assert any(w.startswith("The params were changed to be storable: /nested/0/0/…") for w in run.warnings)


def test_a_failure_whose_message_holds_an_undecodable_file_name_is_stored(logging_to: str) -> None:
    @mltrace.register("parse_bad")
    def parse_bad() -> None:
        raise ValueError(f"cannot parse {BAD_NAME}")

    with pytest.raises(ValueError, match="cannot parse"):
        parse_bad()
    (run,) = stored_runs("parse_bad")
    assert run.status == "failed" and "ValueError: cannot parse bad-\\xff.csv" in run.error


@pytest.mark.parametrize(
    ("name", "problem"),
    [(os.fsdecode(b"step-\xff"), "lone surrogate"), ("s" * 256, "256 characters long"), ("a\x00b", "NUL")],
)
def test_a_component_name_that_cannot_be_stored_is_refused_when_decorating(name: str, problem: str) -> None:
    with pytest.raises(TypeError, match=f"component_name .* cannot be stored: it .*{problem}"):
        mltrace.register(name)
    with pytest.raises(TypeError, match="cannot be stored"):
        mltrace.Component(name)
    with pytest.raises(TypeError, match="a tag .* cannot be stored"):
        mltrace.Component("fine", tags=[name])


def test_a_run_is_kept_without_its_values_when_capturing_them_fails(logging_to: str, monkeypatch) -> None:
    from mltrace.tracking import call

    def failing_fit_names(pointers, note):  # a fault where no guard of a single value could catch it
        raise MemoryError("injected")

    monkeypatch.setattr(call, "fit_names", failing_fit_names)

    @mltrace.register("fragile", outputs=["out.csv"])
    def fragile() -> int:
        return 1

    assert fragile() == 1
    (run,) = stored_runs("fragile")
    assert run.status == "success" and run.outputs == []
    assert run.warnings == ["mltrace could not capture this run's values (MemoryError)."]
