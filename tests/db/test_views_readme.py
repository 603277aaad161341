"""The README's SQL over the views, run as printed: the DuckDB query on the demo's SQLite file, the psql query on
the demo in PostgreSQL."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import duckdb_ext
import pytest

import mltrace
from mltrace import client as client_module
from mltrace.samples import EPOCHS, DemoInfo, build_demo

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
PSQL = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"


def readme_block(info_string: str) -> str:
    """The one fenced block of the README whose info string is `info_string`."""
    (block,) = re.findall(rf"```{re.escape(info_string)}\n(.*?)```", README, flags=re.DOTALL)
    return block


@pytest.fixture
def demo_in(mltrace_home: Path, tmp_path: Path) -> Iterator[callable]:  # type: ignore[valid-type]
    def build(db_uri: str) -> DemoInfo:
        return build_demo(db_uri, tmp_path / "work")

    client_module._overrides.clear()
    yield build
    mltrace.flush(10)
    client_module._overrides.clear()
    client_module._reset_default()


def test_the_readmes_duckdb_query_finds_the_fahrenheit_batch_first(
    demo_in, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = demo_in(f"sqlite:///{tmp_path / 'mltrace.db'}")
    monkeypatch.chdir(tmp_path)  # the README runs it from the database's folder
    conn = duckdb.connect()
    # the sqlite extension from its PyPI package (dev extra), not fetched from the network as a user's DuckDB does
    conn.execute("SET extension_directory = ?", [str(Path(next(iter(duckdb_ext.__path__))) / "extensions")])
    conn.execute("SET autoinstall_known_extensions = false")
    statements = [s for s in readme_block("sql duckdb").split(";") if s.strip()]
    for statement in statements[:-1]:
        conn.execute(statement)
    rows = conn.execute(statements[-1]).fetchall()
    assert len(rows) == 3
    assert int(rows[0][0]) == info.culprit_run_id
    assert rows[0][2] > 100 > rows[1][2]  # Fahrenheit, then Celsius


def test_the_readmes_psql_query_shows_the_loss_per_epoch(demo_in, postgres_uri: str) -> None:
    demo_in(postgres_uri)
    sql = readme_block("sql psql")
    done = subprocess.run(
        [PSQL, postgres_uri, "-X", "-v", "ON_ERROR_STOP=1", "--no-align", "--tuples-only", "--field-separator=,"],
        input=sql,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split(",") for line in done.stdout.splitlines() if line]
    latest_train = max(r.id for r in mltrace.get_history("train") if r.status == "success")
    assert [int(r[1]) for r in rows] == list(range(EPOCHS))
    assert {int(r[0]) for r in rows} == {latest_train}
    losses = [float(r[2]) for r in rows]
    assert losses[0] > 0.6 and losses[-1] < 0.35 and losses[0] > losses[len(losses) // 2] > losses[-1]
