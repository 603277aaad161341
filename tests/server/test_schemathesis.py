"""schemathesis, every check and its stateful phase, against a live server on each database: the server answers as
its OpenAPI document says, and never with a 5xx."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrace.entities.run_wire import to_wire
from tests.conftest import fresh_database
from tests.server.live import ROOT, LiveServer, live_server
from tests.server.sample import PIPELINE_RECORDS

pytestmark = pytest.mark.xdist_group("live-server")

CONFIG = Path(__file__).parent / "schemathesis" / "schemathesis.toml"  # the hooks it names, examples per phase
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
SEED = 12


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server holding the sample pipeline, so that links lead to runs, components, tags and outputs."""
    folder = tmp_path_factory.mktemp(f"schemathesis-{request.param}")
    with fresh_database(request, folder) as uri, live_server(uri, folder) as live:
        answer = live.call("POST", "/api/v1/runs", {"runs": [to_wire(r) for r in PIPELINE_RECORDS]})
        assert answer.status == 200, answer.raw
        assert live.call("PUT", "/api/v1/flags/pred%2F1", {"reason": "wrong"}).status == 200
        yield live


def test_schemathesis_finds_nothing_with_every_check_and_the_stateful_phase(server: LiveServer, tmp_path: Path):
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(CONFIG),
        "run",
        f"{server.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": "tests.server.schemathesis.hooks"}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-20_000:]
    stateful = re.search(r"Stateful \(in [^)]*\)\s+Scenarios:\s+(\d+)\s+API Links:\s+(\d+) covered", output)
    assert stateful, f"the stateful phase did not run:\n{output[-5000:]}"
    scenarios, links = map(int, stateful.groups())
    assert scenarios > 0 and links >= 10, output[-5000:]
