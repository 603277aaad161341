"""Several processes log into one store at once: nothing is lost and every dependency is right."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mltrace.client import Client

STAGES = ["ingest", "clean", "featurize", "predict"]

WORKER = textwrap.dedent("""
    import sys, mltrace
    worker, runs = int(sys.argv[1]), int(sys.argv[2])
    stages = {stages!r}
    funcs = []
    for k, name in enumerate(stages):
        def make(k, name):
            @mltrace.register(name, input_vars=["src"], output_vars=["dst"])
            def step(src):
                dst = src.replace("/s%d" % k, "/s%d" % (k + 1))
                return dst
            return step
        funcs.append(make(k, name))
    for i in range(runs // len(stages)):
        path = "w%d/%d/s0" % (worker, i)
        for f in funcs:
            path = f(path)
    sys.exit(0 if mltrace.flush(120) else 3)
""")


@pytest.mark.slow
def test_four_processes_logging_a_pipeline_concurrently_lose_nothing(db_uri: str, mltrace_home: Path) -> None:
    Client(db_uri).store.ensure_ready()
    env = {"MLTRACE_HOME": str(mltrace_home), "MLTRACE_DB_URI": db_uri, "PATH": "/usr/bin:/bin"}
    script = WORKER.format(stages=STAGES)
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(w), "1000"], env=env, stderr=subprocess.PIPE, text=True)
        for w in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    client = Client(db_uri)
    runs = client.recent(limit=500)
    total = 0
    before = None
    while runs:
        total += len(runs)
        for r in runs:
            expected_input = r.inputs[0].name
            if r.component_name == "ingest":
                assert r.dependencies == []
            else:
                (dep,) = r.dependencies
                producer = client.get_run(dep)
                assert [p.name for p in producer.outputs] == [expected_input]
        last = runs[-1]
        before = (last.start_timestamp, last.id)
        runs = client.recent(limit=500, before=before)
    assert total == 4000
