"""The console's tests answer requests from a recording of the real server: it must match the server as it is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.console_api_dump import DUMP

ROOT = Path(__file__).resolve().parents[1]


def _answers(text: str) -> dict[str, dict[str, object]]:
    return {f"{e['method']} {e['path']} {json.dumps(e['query'])}": e for e in json.loads(text)}


def test_the_recorded_answers_are_what_the_server_answers_today(tmp_path: Path) -> None:
    fresh = tmp_path / "api-dump.json"
    # In a process of its own: recording points mltrace's module-level API at the demo database.
    made = subprocess.run(
        [sys.executable, "-m", "tests.console_api_dump", str(fresh)], cwd=ROOT, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr[-2000:]
    if fresh.read_text("utf-8") != DUMP.read_text("utf-8"):
        recorded, now = _answers(DUMP.read_text("utf-8")), _answers(fresh.read_text("utf-8"))
        changed = sorted(key for key in recorded.keys() | now.keys() if recorded.get(key) != now.get(key))
        raise AssertionError(
            f"{DUMP.name} is out of date ({len(changed)} answers differ, e.g. {changed[:3]}): run `make ui-fixtures`"
        )
