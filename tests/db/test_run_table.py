"""`to_df` and the CSV/JSON/Parquet exports on SQLite and PostgreSQL: columns, dtypes, NaN and ±Infinity, round
trips read back with pandas; the HTTP export streamed with flat memory, a bad filter refused before any byte; and
what to install when pandas is missing."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import Connection

from mltrace.cli.main import cli
from mltrace.client import Client
from mltrace.entities import ComponentRun, IOPointer, new_run_key
from mltrace.errors import MissingExtraError
from mltrace.server.app import create_app
from tests.conftest import fresh_database

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _run(i: int, component: str, params: dict, metrics: dict, **extra: object) -> ComponentRun:
    start = T0 + timedelta(hours=i)
    return ComponentRun(
        component_name=component,
        start_timestamp=start,
        end_timestamp=start + timedelta(seconds=1.5),
        params=params,
        metrics=metrics,
        key=new_run_key(),
        **extra,  # type: ignore[arg-type]
    )


RUNS = [
    _run(
        0,
        "train",
        {"lr": 0.1, "epochs": 10, "model": "a", "flag": True},
        {"acc": 0.30000000000000004, "n": 3},
        git_hash="g1",
        code_hash="c1",
        inputs=[IOPointer("d1"), IOPointer("d2")],
        outputs=[IOPointer("m1")],
    ),
    _run(1, "train", {"lr": 0.2, "epochs": 20, "model": "b", "flag": False}, {"acc": math.nan, "n": 4}),
    _run(2, "eval", {"lr": 0.3, "model": "c", "layers": [1, 2]}, {"acc": math.inf}),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stored(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[int]]]:
    with fresh_database(request, tmp_path_factory.mktemp("table")) as uri:
        client = Client(uri)
        ids = client.ingest(RUNS)
        client.create_component("train", tags=["serving", "gpu"])
        yield uri, ids


def test_to_df_has_one_row_per_run_and_typed_columns(stored: tuple[str, list[int]]) -> None:
    uri, ids = stored
    df = Client(uri).to_df()
    assert list(df.columns) == [
        "run_id", "component", "status", "started", "ended", "duration_ms", "git_commit", "code_hash", "tags",
        "params.epochs", "params.flag", "params.layers", "params.lr", "params.model", "metrics.acc", "metrics.n",
        "inputs_count", "outputs_count",
    ]  # fmt: skip
    assert list(df["run_id"]) == ids[::-1]  # newest first
    dtypes = {c: str(t) for c, t in df.dtypes.items()}
    assert dtypes["run_id"] == "int64" and dtypes["inputs_count"] == "int64"
    assert dtypes["started"] == dtypes["ended"] == "datetime64[us, UTC]"
    assert dtypes["params.lr"] == "float64" and dtypes["metrics.acc"] == "float64"
    assert dtypes["params.epochs"] == "Int64" and dtypes["metrics.n"] == "Int64"  # integers, some runs without
    assert dtypes["params.flag"] == "boolean" and dtypes["params.layers"] == "object"
    row = df.set_index("run_id").loc[ids[0]]
    assert row["metrics.acc"] == 0.30000000000000004  # every digit of a double
    assert row["tags"] == ["gpu", "serving"] and row["git_commit"] == "g1" and row["code_hash"] == "c1"
    assert row["duration_ms"] == 1500.0 and row["inputs_count"] == 2 and row["outputs_count"] == 1
    assert row["started"] == pd.Timestamp(T0)
    second, third = df.set_index("run_id").loc[ids[1]], df.set_index("run_id").loc[ids[2]]
    assert math.isnan(second["metrics.acc"]) and third["metrics.acc"] == math.inf
    assert pd.isna(third["params.epochs"]) and pd.isna(third["params.flag"]) and third["params.layers"] == [1, 2]


def test_to_df_takes_a_filter_a_component_and_a_limit(stored: tuple[str, list[int]]) -> None:
    uri, ids = stored
    client = Client(uri)
    assert list(client.to_df(where="params.lr >= 0.2")["run_id"]) == [ids[2], ids[1]]
    assert list(client.to_df(component="train", limit=1)["run_id"]) == [ids[1]]
    assert list(client.to_df(order_by="params.lr")["run_id"]) == ids
    full = client.to_df(where="params.lr > 0.15 and component = 'train'")
    assert list(full["run_id"]) == [ids[1]] and str(full["params.flag"].dtype) == "bool"
    empty = client.to_df(where="metrics.nothing > 1")
    assert len(empty) == 0 and "run_id" in empty.columns


def test_csv_json_and_parquet_exports_read_back_as_to_df(stored: tuple[str, list[int]], tmp_path: Path) -> None:
    uri, _ = stored
    expected = Client(uri).to_df()
    runner = CliRunner()
    for fmt in ("csv", "json", "parquet"):
        result = runner.invoke(cli, ["--db", uri, "export", "--format", fmt, "-o", str(tmp_path / f"runs.{fmt}")])
        assert result.exit_code == 0, result.output
    from_csv = pd.read_csv(tmp_path / "runs.csv", parse_dates=["started", "ended"])
    from_json = pd.DataFrame(json.loads((tmp_path / "runs.json").read_text()))
    assert set(from_json.columns) == set(expected.columns)  # each object holds the keys its run has
    from_json = from_json[list(expected.columns)]
    from_parquet = pd.read_parquet(tmp_path / "runs.parquet")
    for frame in (from_csv, from_json, from_parquet):
        assert list(frame.columns) == list(expected.columns)
        assert list(frame["run_id"]) == list(expected["run_id"])
        assert list(frame["params.model"]) == list(expected["params.model"])
        assert list(frame["duration_ms"]) == list(expected["duration_ms"])
    for name in ("params.lr", "metrics.acc"):
        pd.testing.assert_series_equal(from_csv[name], expected[name])
        pd.testing.assert_series_equal(from_parquet[name], expected[name])
        assert [_number(v) for v in from_json[name]] == pytest.approx(list(expected[name]), nan_ok=True)
    pd.testing.assert_series_equal(from_csv["started"], expected["started"], check_dtype=False)
    pd.testing.assert_series_equal(from_parquet["started"], expected["started"])
    assert [json.loads(t) for t in from_csv["tags"]] == list(expected["tags"])
    assert [list(t) for t in from_parquet["tags"]] == list(expected["tags"])
    assert list(from_parquet["params.flag"]) == list(expected["params.flag"])


def _number(value: object) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value, value)  # type: ignore[arg-type,return-value]


def test_export_goes_to_stdout_and_a_bad_filter_exits_2_without_a_file(stored: tuple[str, list[int]], tmp_path: Path):
    uri, ids = stored
    runner = CliRunner()
    out = runner.invoke(cli, ["--db", uri, "export", "--where", "component = 'eval'"])
    assert out.exit_code == 0 and pd.read_csv(io.StringIO(out.output))["run_id"].tolist() == [ids[2]]
    bad = runner.invoke(cli, ["--db", uri, "export", "--where", "metrics.acc >", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "column 14" in bad.output and len(bad.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()


def test_the_runs_command_filters_orders_and_exits_2_on_a_bad_filter(stored: tuple[str, list[int]]) -> None:
    uri, ids = stored
    runner = CliRunner()
    listed = runner.invoke(
        cli, ["--db", uri, "runs", "--where", "params.lr > 0.15", "--order-by", "params.lr", "--json"]
    )
    assert listed.exit_code == 0 and [r["id"] for r in json.loads(listed.output)["runs"]] == [ids[1], ids[2]]
    table = runner.invoke(cli, ["--db", uri, "runs", "--where", "component = 'eval'"])
    assert table.exit_code == 0 and "eval" in table.output and "train" not in table.output
    bad = runner.invoke(cli, ["--db", uri, "runs", "--where", "params.model = 'a"])
    assert (
        bad.exit_code == 2
        and bad.output.strip() == "Error: Invalid filter at column 16: unbalanced quote ' (near \"'a\")"
    )


def test_without_pandas_to_df_and_parquet_say_what_to_install(
    stored: tuple[str, list[int]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    uri, _ = stored
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` raises ImportError
    with pytest.raises(MissingExtraError, match=r"pip install 'mltrace\[pandas\]'"):
        Client(uri).to_df()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = CliRunner().invoke(cli, ["--db", uri, "export", "--format", "parquet", "-o", str(tmp_path / "r.parquet")])
    assert result.exit_code == 1 and "pip install 'mltrace[pandas]'" in result.output
    csv = CliRunner().invoke(cli, ["--db", uri, "export"])  # CSV needs neither
    assert csv.exit_code == 0 and csv.output.startswith("run_id,")


def test_http_export_streams_csv_and_json_and_refuses_a_bad_filter_before_any_byte(
    stored: tuple[str, list[int]], mltrace_home: Path
) -> None:
    uri, ids = stored
    api = create_app({"DB_URI": uri, "TESTING": True}).test_client()
    response = api.get("/api/v1/runs/export?format=csv&where=params.lr%20%3E%3D%200.2")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert pd.read_csv(io.StringIO(response.get_data(as_text=True)))["run_id"].tolist() == [ids[2], ids[1]]
    answer = api.get("/api/v1/runs/export?format=json&order_by=params.lr&limit=2")
    assert [r["run_id"] for r in answer.get_json()] == ids[:2]
    assert answer.get_json()[1]["metrics.acc"] == "NaN"
    bad = api.get("/api/v1/runs/export?where=params.model%20%3D%20'a")
    assert bad.status_code == 400 and bad.headers["Content-Type"] == "application/json"
    error = bad.get_json()["error"]
    assert error["code"] == "validation_error" and error["details"] == {
        "where": {"column": 16, "reason": "unbalanced quote '"}
    }
    assert "column 16" in error["message"]


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_the_export_memory_stays_flat_however_many_runs(
    db: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    request.param = db  # type: ignore[attr-defined]
    with fresh_database(request, tmp_path) as uri:
        client = Client(uri)
        peaks = {}
        stored = 0
        for total in (4_000, 16_000):
            batch = [
                _run(i, "train", {f"p{k}": i * k for k in range(5)}, {f"m{k}": i / (k + 1) for k in range(5)})
                for i in range(stored, total)
            ]
            for start in range(0, len(batch), 4_000):
                client.ingest(batch[start : start + 4_000])
            stored = total
            del batch
            tracemalloc.start()
            size = sum(len(chunk) for chunk in client.export_text("csv"))
            peaks[total] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert size > total * 100
        assert peaks[16_000] < 1.5 * peaks[4_000], peaks  # four times the runs, not four times the memory


TRICKY = [
    _run(10, "t", {"s": 'a "quoted", comma', "mixed": 1, "b": True, "big": 2**60}, {"m": 1.0}),
    _run(11, "t", {"s": "line\nbreak\ttab", "mixed": "one", "b": False, "big": 3}, {"m": -math.inf}),
    _run(12, "t", {"s": "", "mixed": [1, {"k": None}], "b": True, "big": 4}, {"m": 2.5}),
    _run(13, "t", {"s": "\\N", "mixed": math.nan, "b": False, "big": 5}, {"m": 7}),
    _run(14, "t", {"s": "ünï 𝄞", "mixed": False}, {}),
]


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_to_df_is_the_same_frame_however_the_database_is_read(db: str) -> None:
    """On PostgreSQL to_df reads the values through COPY; the frame equals the one built run by run."""
    from mltrace.backends.local import LocalBackend
    from mltrace.exports.frame import run_frame

    client = Client(db)
    client.ingest(TRICKY)
    client.create_component("t", tags=["x"])
    backend = LocalBackend(client.store)
    for where, order, limit in (("", "", None), ("params.b = true", "params.s", None), ("", "metrics.m desc", 3)):
        built = run_frame(backend.run_rows(where, order, None, limit))
        pd.testing.assert_frame_equal(client.to_df(where=where, order_by=order, limit=limit), built)
    frame = client.to_df().set_index("run_id")
    assert set(frame["params.s"]) == {'a "quoted", comma', "line\nbreak\ttab", "", "\\N", "ünï 𝄞"}


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request, tmp_path) as uri:
        yield uri


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_runs_stored_while_to_df_reads_are_left_out(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """to_df reads the selected ids, then every run's values: a run stored in between is not in the frame."""
    from mltrace.exports import frame_postgres

    client = Client(db)
    client.ingest(TRICKY[:2])
    real = frame_postgres.copy_out_csv
    late = [TRICKY[2]]

    def copy_after_a_late_run(conn: Connection, query: str, null: str = "\\N") -> bytes:
        while late:
            client.ingest([late.pop()])
        return real(conn, query, null)

    monkeypatch.setattr(frame_postgres, "copy_out_csv", copy_after_a_late_run)
    frame = client.to_df()
    assert len(frame) == 2 and frame["params.s"].tolist() == ["line\nbreak\ttab", 'a "quoted", comma']


EDGE_NUMBERS = [
    _run(20, "n", {"x": 0.1, "i": 3}, {"v": 1e-05}, git_hash="g"),
    _run(21, "n", {"x": 2.0**53, "i": -0.0}, {"v": 1.5e16}),
    _run(22, "n", {"x": 123456.789, "i": 2**60}, {"v": -math.inf}),
    _run(23, "n", {"x": 1e300, "i": 7}, {"v": math.nan}),
]


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_the_csv_postgresql_writes_has_the_cells_python_writes(db: str) -> None:
    """On PostgreSQL the database writes the CSV; read as CSV, every cell is the one the run-by-run writer gives."""
    from mltrace.backends.local import LocalBackend
    from mltrace.db.run_filters import Selection
    from mltrace.db.run_table import run_rows, table_keys
    from mltrace.exports.writers import csv_text
    from mltrace.query.filter_grammar import parse_filter, parse_order

    client = Client(db)
    client.ingest([*TRICKY, *EDGE_NUMBERS, *RUNS])
    client.create_component("t", tags=["x", "é"])
    backend = LocalBackend(client.store)
    for where, order, limit in (("", "", None), ("component = 't'", "params.s", None), ("", "metrics.m desc", 3)):
        selection = Selection(parse_filter(where), parse_order(order))

        def by_python(conn, selection=selection, limit=limit):  # type: ignore[no-untyped-def]
            yield from csv_text(run_rows(conn, selection, limit), *table_keys(conn, selection, limit))

        python = "".join(client.store.stream(by_python))
        database = "".join(backend.export_text("csv", where, order, None, limit))
        assert list(csv.reader(io.StringIO(database))) == list(csv.reader(io.StringIO(python)))


def _python_csv(client: Client) -> str:
    from mltrace.db.run_filters import Selection
    from mltrace.db.run_table import run_rows, table_keys
    from mltrace.exports.writers import csv_text
    from mltrace.query.filter_grammar import parse_filter, parse_order

    selection = Selection(parse_filter(""), parse_order(""))

    def by_python(conn):  # type: ignore[no-untyped-def]
        yield from csv_text(run_rows(conn, selection, None), *table_keys(conn, selection, None))

    return "".join(client.store.stream(by_python))


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
@pytest.mark.parametrize("chunk", [2, 3, 5, 8, 20])
def test_chunks_written_on_two_connections_come_out_in_order(
    db: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the first chunk every other chunk is written by a twin connection: the CSV is the run-by-run
    writer's, whether the chunks are one, two, an odd or an even number."""
    from mltrace.exports import csv_postgres

    client = Client(db)
    client.ingest([*TRICKY, *EDGE_NUMBERS, *RUNS])
    monkeypatch.setattr(csv_postgres, "CHUNK", chunk)
    database = "".join(client.export_text("csv"))
    assert list(csv.reader(io.StringIO(database))) == list(csv.reader(io.StringIO(_python_csv(client))))
    assert client.store.engine.pool.checkedout() == 0


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_csv_export_shows_the_store_as_it_was_when_it_began(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Values changed and runs stored while the export is read, on either connection, are not in it."""
    from mltrace.exports import csv_postgres

    client = Client(db)
    ids = client.ingest([_run(i, "train", {"lr": i}, {"acc": i / 10}) for i in range(9)])
    monkeypatch.setattr(csv_postgres, "CHUNK", 2)
    before = _python_csv(client)
    chunks = client.export_text("csv")
    read = [next(chunks), next(chunks)]  # the header and the first chunk
    for run_id in ids:
        client.set_metrics(run_id, {"acc": 99.0})
    client.ingest([_run(20, "train", {"lr": 20}, {"acc": 2.0})])
    read.extend(chunks)
    assert list(csv.reader(io.StringIO("".join(read)))) == list(csv.reader(io.StringIO(before)))
    assert "99.0" not in "".join(read) and len("".join(read).splitlines()) == 10


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_an_export_closed_early_gives_both_connections_back(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that stops after the first chunks (a client gone) leaves no connection or transaction open."""
    from mltrace.exports import csv_postgres

    client = Client(db)
    client.ingest([_run(i, "train", {"lr": i}, {"acc": i / 10}) for i in range(9)])
    monkeypatch.setattr(csv_postgres, "CHUNK", 2)
    chunks = client.export_text("csv")
    assert [next(chunks) for _ in range(3)][2].count("\n") == 2
    pools = (client.store.engine.pool, client.store.read_engine.pool)
    assert [pool.checkedout() for pool in pools] == [1, 1]  # this one, and its twin from the query connections
    chunks.close()
    assert [pool.checkedout() for pool in pools] == [0, 0]
    client.set_metrics(1, {"acc": 5.0})  # no lock left behind


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_as_many_exports_at_once_as_the_pool_holds_all_finish(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each export holds a connection of the writers' pool (2 + 3 overflow) and takes its twin from another: five
    exports that all hold theirs before any asks for a twin still finish (from the same pool, they waited on each
    other until the pool's timeout)."""
    import threading

    from mltrace.exports import csv_postgres

    client = Client(db)
    client.ingest([_run(i, "train", {"lr": i}, {"acc": i / 10}) for i in range(9)])
    monkeypatch.setattr(csv_postgres, "CHUNK", 2)
    assert client.store.engine.pool.size() == 2
    together = threading.Barrier(5, timeout=20)
    texts: list[str] = []

    def export() -> None:
        chunks = client.export_text("csv")
        header = next(chunks)  # its connection is taken
        together.wait()
        texts.append(header + "".join(chunks))

    threads = [threading.Thread(target=export) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(texts) == 5 and len(set(texts)) == 1 and texts[0].count("\n") == 10
