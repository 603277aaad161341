"""Records the server's answers to the console's requests over the demo data, for the console's tests.

`python -m tests.console_api_dump OUT.json` (`make ui-fixtures`) stores the demo pipeline of
`mltrace.samples` (plus a batch run with many outputs and a component named like HTML) in a
temporary database under a fixed clock, asks the real app every request the console makes of
that data, and writes each request with the status and JSON body it got. The console's tests
answer requests from this file (MSW, ui/src/testing/), so they cannot pass against behaviour the
server does not have; `tests/test_console_api_dump.py` fails when the file is out of date.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import time_machine
from flask.testing import FlaskClient

import mltrace
from mltrace.samples import DemoInfo, build_demo
from mltrace.server.app import create_app
from tests.e2e.demo_server import log_batch_run, log_odd_component

# The demo's "today": its dates, and so the recorded answers, do not depend on the day they are made.
TODAY = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.utc)
DUMP = Path(__file__).resolve().parents[1] / "ui" / "src" / "testing" / "api-dump.json"
PAGE_SIZE = 20  # the console's page of recent runs (RECENT_PAGE_SIZE)
REVIEW_LIMIT = 20  # the console's review (REVIEW_LIMIT)
HISTORY_LIMITS = (10, 20)  # the history command's default, and a longer one
SEARCHES = ("ing", "ingest", "tr", "data/raw", "etl", "2")
DOWNSTREAM_OUTPUTS = 20  # outputs whose downstream a run's downstream view follows (DOWNSTREAM_OUTPUTS_LIMIT)
MISSING_OUTPUT = "no/such output"
MISSING_RUN = 999999
IMPACT_LIMIT = 20  # the impact view's list of newest outputs (IMPACT_LIMIT)


@contextmanager
def working_directory(folder: str) -> Iterator[None]:
    """Runs the block in `folder` (contextlib.chdir from Python 3.11)."""
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


@contextmanager
def demo_database() -> Iterator[tuple[str, DemoInfo]]:
    """The demo, the batch run and the odd component in a temporary SQLite database, at TODAY."""
    with tempfile.TemporaryDirectory(prefix="mltrace-api-dump-") as folder:
        previous = {name: os.environ.pop(name, None) for name in ("MLTRACE_SERVER_URL", "MLTRACE_DB_URI", "DB_URI")}
        os.environ["MLTRACE_HOME"] = str(Path(folder) / "home")
        try:
            db = f"sqlite:///{folder}/demo.db"
            # Frozen: today's runs take no time. Outside a repository: no git commit of this checkout.
            with time_machine.travel(TODAY, tick=False), working_directory(folder):
                info = build_demo(db, Path(folder) / "work")
                log_batch_run()
                log_odd_component()
                if not mltrace.flush(120):
                    raise SystemExit("the demo could not be stored")
            yield db, info
        finally:
            for name, value in previous.items():
                if value is not None:
                    os.environ[name] = value


class Recorder:
    """Asks the app and keeps each request once, with its answer."""

    def __init__(self, api: FlaskClient) -> None:
        self.api = api
        self.entries: dict[tuple[str, str, str], dict[str, Any]] = {}

    def ask(self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None) -> Any:
        """`path` unencoded (an output id may hold `/`), as the console decodes it; returns the JSON body."""
        query = {key: str(value) for key, value in (query or {}).items() if value is not None}
        encoded = "/".join(quote(part, safe="") for part in path.split("/"))
        response = self.api.open(encoded, method=method, query_string=query, json=body)
        answer = response.get_json()
        key = (method, path, json.dumps(sorted(query.items())))
        if key not in self.entries:  # a mutation asked twice (to undo it) keeps its first answer
            self.entries[key] = {
                "method": method,
                "path": path,
                "query": dict(sorted(query.items())),
                "status": response.status_code,
                "body": answer,
            }
        return answer

    def dump(self) -> str:
        """One entry a line, sorted, so that a change to the data shows as a change to a few lines."""
        lines = [json.dumps(entry, sort_keys=True, ensure_ascii=False) for _, entry in sorted(self.entries.items())]
        return "[\n" + ",\n".join(lines) + "\n]\n"


def record(db: str, info: DemoInfo) -> str:
    """Every request the console makes of the demo data, and a few that fail, as the dump's text."""
    recorder = Recorder(create_app({"DB_URI": db, "TESTING": True}).test_client())
    ask = recorder.ask
    api = "/api/v1"

    before = None
    run_ids: list[int] = []
    while True:
        page = ask("GET", f"{api}/runs", {"limit": PAGE_SIZE, "before": before})
        run_ids += [run["id"] for run in page["runs"]]
        before = page["next"]
        if before is None:
            break
    pointers: set[str] = set()
    for run_id in run_ids:
        run = ask("GET", f"{api}/runs/{run_id}")
        ask("GET", f"{api}/artifacts", {"run": run_id})  # the run page's downloads
        ask("GET", f"{api}/runs/{run_id}/series")  # the run page's step series
        ask("GET", f"{api}/audit", {"run_id": run_id})  # the run page's history of changes
        pointers.update(p["name"] for p in run["outputs"][:DOWNSTREAM_OUTPUTS] + run["inputs"])

    for component in ask("GET", f"{api}/components")["components"]:
        for limit in HISTORY_LIMITS:
            ask("GET", f"{api}/components/{component['name']}/runs", {"limit": limit})
    for tag in ask("GET", f"{api}/tags")["tags"]:
        ask("GET", f"{api}/tags/{tag}/components")
    flagged = ask("GET", f"{api}/review", {"limit": REVIEW_LIMIT})["flagged"]
    ask("GET", f"{api}/flags")
    for q in SEARCHES:
        ask("GET", f"{api}/search", {"q": q, "limit": 20})

    # Downstream of every pointer (what a run's downstream view asks for each of its outputs);
    # upstream of every pointer but the many predictions, of which a few flagged and unflagged ones.
    predictions = set(info.bad_prediction_ids) | set(info.good_prediction_ids)
    for name in sorted(pointers):
        ask("GET", f"{api}/trace", {"output_id": name, "direction": "downstream"})
        if name not in predictions:
            ask("GET", f"{api}/trace", {"output_id": name, "direction": "upstream"})
    for name in [*flagged[:2], *info.good_prediction_ids[:2]]:
        ask("GET", f"{api}/trace", {"output_id": name, "direction": "upstream"})
        ask("GET", f"{api}/trace", {"output_id": name, "direction": "upstream", "depth": 1})
    ask("GET", f"{api}/trace", {"output_id": info.culprit_output, "direction": "downstream", "depth": 1})

    # The diff view (a good prediction against a flagged one: the diff and both upstream traces), and
    # the impact view of the culprit run, of its output and of the first ingest run.
    good, bad = info.good_prediction_ids[0], info.bad_prediction_ids[0]
    ask("GET", f"{api}/diff", {"a": good, "b": bad})
    for name in (good, bad):
        ask("GET", f"{api}/trace", {"output_id": name, "direction": "upstream"})
    first_ingest = f"run:{info.run_ids['ingest'][0]}"  # feeds the model, so good predictions too
    for selector in (f"run:{info.culprit_run_id}", info.culprit_output, first_ingest):
        ask("GET", f"{api}/impact", {"id": selector, "limit": IMPACT_LIMIT})
    ask("GET", f"{api}/impact", {"id": f"run:{MISSING_RUN}", "limit": IMPACT_LIMIT})

    # The compare view: the newest three training runs as history lists them (ticked there), every training run
    # (`compare A B C…` typed), the good ingest run beside the Fahrenheit one, and a run that does not exist.
    newest_train = [
        run["id"] for run in ask("GET", f"{api}/components/train/runs", {"limit": HISTORY_LIMITS[0]})["runs"]
    ]
    ingests = info.run_ids["ingest"]
    for ids in (
        newest_train[:3],
        list(info.run_ids["train"]),
        [ingests[0], info.culprit_run_id],
        [ingests[0], MISSING_RUN],
    ):
        ask("GET", f"{api}/compare", {"ids": ",".join(map(str, ids))})

    # Errors, as the server words them.
    ask("GET", f"{api}/runs/{MISSING_RUN}")
    ask("GET", f"{api}/trace", {"output_id": MISSING_OUTPUT, "direction": "upstream"})
    ask("PUT", f"{api}/flags/{MISSING_OUTPUT}", body={})
    ask("GET", f"{api}/components/no-such-component/runs", {"limit": 10})
    ask("GET", f"{api}/tags/no-such-tag/components")

    # Changes, each undone at once so that every other answer above stays true.
    ask("PUT", f"{api}/flags/{good}", body={})
    ask("DELETE", f"{api}/flags/{good}")
    ask("DELETE", f"{api}/flags/{bad}")
    ask("PUT", f"{api}/flags/{bad}", body={})
    ask("PUT", f"{api}/runs/{info.culprit_run_id}/notes", body={"notes": "Fahrenheit batch"})
    ask("PUT", f"{api}/runs/{info.culprit_run_id}/notes", body={"notes": ""})
    before = {flag["output_id"] for flag in ask("GET", f"{api}/flags")["flags"]}
    ask("POST", f"{api}/impact/flags", body={"id": f"run:{info.run_ids['ingest'][0]}"})
    after = {flag["output_id"] for flag in recorder.api.get(f"{api}/flags").get_json()["flags"]}
    for name in sorted(after - before):
        recorder.api.delete(f"{api}/flags/{quote(name, safe='')}")
    return recorder.dump()


def build() -> str:
    """The dump's text, made afresh."""
    with demo_database() as (db, info), time_machine.travel(TODAY, tick=False):
        return record(db, info)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", type=Path, default=DUMP, help=f"where to write it (default {DUMP})")
    args = parser.parse_args(argv)
    args.out.write_text(build(), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
