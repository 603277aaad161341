"""Impact counts the runs downstream of an output or a run and the endpoint outputs they wrote, as an independent
networkx walk of the logged graph does, and flags those outputs all at once or not at all."""

from __future__ import annotations

import random
from datetime import datetime

import networkx as nx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mltrace.client import Client
from mltrace.entities import ComponentRun, IOPointer, PointerType
from mltrace.errors import InvalidInputError, NotFoundError
from tests.factories import at, run

N_RUNS = 300


def random_pipeline(seed: int) -> tuple[list[ComponentRun], nx.DiGraph, dict[str, PointerType]]:
    """Runs that read shared raw inputs and earlier outputs (fan-in) and write one to several outputs (fan-out),
    some of the endpoint type; each output written once, read only by later runs. With the logged graph."""
    rng = random.Random(seed)
    raw = [f"raw/{i}.csv" for i in range(8)]
    records, written = [], []
    logged = nx.DiGraph()
    endpoint_types: dict[str, PointerType] = {}
    for i in range(N_RUNS):
        pool = raw + written[-60:]
        reads = rng.sample(pool, k=rng.randint(0, 3))
        writes = []
        for j in range(rng.choice([1, 1, 2, 5])):
            name = f"p{i}/{j}"
            endpoint = rng.random() < 0.2
            writes.append(IOPointer(name, pointer_type=PointerType.ENDPOINT) if endpoint else IOPointer(name))
            endpoint_types[name] = PointerType.ENDPOINT if endpoint else PointerType.UNKNOWN
        records.append(run(f"c{rng.randint(0, 6)}", i * 10, inputs=reads, outputs=writes))
        logged.add_node(f"run:{i}")
        for name in reads:
            logged.add_edge(f"pointer:{name}", f"run:{i}")
        for pointer in writes:
            logged.add_edge(f"run:{i}", f"pointer:{pointer.name}")
        written += [p.name for p in writes]
    return records, logged, endpoint_types


def expected(
    records: list[ComponentRun],
    logged: nx.DiGraph,
    endpoint_types: dict[str, PointerType],
    start: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[dict[str, int], list[tuple[str, int]], int]:
    """By networkx: runs per component, the endpoint outputs as (name, position of their latest affected writer)
    newest first, and how many runs are affected."""
    reached = nx.descendants(logged, start) | ({start} if start.startswith("run:") else set())
    positions = [int(node.split(":")[1]) for node in reached if node.startswith("run:")]
    affected = [
        i
        for i in positions
        if (since is None or records[i].start_timestamp >= since)
        and (until is None or records[i].start_timestamp < until)
    ]
    counts: dict[str, int] = {}
    for i in affected:
        counts[records[i].component_name] = counts.get(records[i].component_name, 0) + 1
    writers: dict[str, int] = {}
    for i in affected:
        for pointer in logged.successors(f"run:{i}"):
            name = pointer.split(":", 1)[1]
            if endpoint_types[name] is PointerType.ENDPOINT or logged.out_degree(pointer) == 0:
                writers[name] = max(writers.get(name, -1), i)
    newest = sorted(writers.items(), key=lambda item: (-item[1], item[0]))
    return counts, newest, len(affected)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_impact_equals_an_independent_networkx_walk_from_outputs_and_runs(client: Client, seed: int) -> None:
    records, logged, endpoint_types = random_pipeline(seed)
    ids = client.ingest(records)
    rng = random.Random(seed)
    starts = [f"pointer:raw/{i}.csv" for i in range(3)] + [f"run:{i}" for i in rng.sample(range(N_RUNS), 5)]
    starts += rng.sample([n for n in logged if n.startswith("pointer:p")], 4)
    for start in starts:
        target = f"run:{ids[int(start[4:])]}" if start.startswith("run:") else start.split(":", 1)[1]
        counts, newest, runs = expected(records, logged, endpoint_types, start)
        found = client.impact(target, limit=500)
        assert found.components == dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        assert found.runs == runs
        assert found.endpoints == len(newest)
        assert [(o.name, o.run_id) for o in found.outputs] == [(name, ids[i]) for name, i in newest][:500]
        assert all(o.time == records[ids.index(o.run_id)].start_timestamp for o in found.outputs)
        assert found.flagged == 0


@pytest.mark.parametrize("seed", [4, 5])
def test_since_and_until_bound_impact_by_when_runs_started(client: Client, seed: int) -> None:
    records, logged, endpoint_types = random_pipeline(seed)
    client.ingest(records)
    rng = random.Random(seed)
    for raw in ("raw/0.csv", "raw/1.csv"):
        for _ in range(3):
            low = rng.randint(0, N_RUNS * 10)
            since, until = at(low), at(low + rng.randint(1, 1500))
            counts, newest, runs = expected(records, logged, endpoint_types, f"pointer:{raw}", since, until)
            found = client.impact(raw, since=since, until=until, limit=7)
            assert (found.components, found.endpoints, found.runs) == (
                dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))),
                len(newest),
                runs,
            )
            assert [o.name for o in found.outputs] == [name for name, _ in newest][:7]
            assert all(since <= o.time < until for o in found.outputs)


def test_a_run_selector_counts_the_run_itself_and_an_output_selector_only_its_readers(client: Client) -> None:
    train, predict = client.ingest(
        [
            run("train", 0, inputs=["raw.csv"], outputs=["model.pkl"]),
            run("predict", 10, inputs=["model.pkl"], outputs=[IOPointer("pred/1", pointer_type=PointerType.ENDPOINT)]),
        ]
    )
    assert client.impact(f"run:{train}").components == {"predict": 1, "train": 1}
    assert client.impact("model.pkl").components == {"predict": 1}
    assert client.impact("pred/1").components == {}
    assert [(o.name, o.run_id, o.component) for o in client.impact("raw.csv").outputs] == [
        ("pred/1", predict, "predict")
    ]


def test_unknown_outputs_and_runs_are_not_found_and_bad_selectors_are_invalid(client: Client) -> None:
    client.ingest([run("train", 0, inputs=["raw.csv"], outputs=["model.pkl"])])
    for target in ("nowhere.csv", "run:999", "run:0", "run:9999999999"):
        with pytest.raises(NotFoundError):
            client.impact(target)
        with pytest.raises(NotFoundError):
            client.flag_impact(target)
    for target in ("", "run:", "run:x", "run:-1", "run:12345678901"):
        with pytest.raises(InvalidInputError):
            client.impact(target)
    with pytest.raises(InvalidInputError):
        client.impact("raw.csv", limit=0)


def fan_out(client: Client) -> list[int]:
    """raw.csv → train → two predict runs, each writing three endpoint outputs."""
    return client.ingest(
        [
            run("train", 0, inputs=["raw.csv"], outputs=["model.pkl"]),
            run("predict", 10, inputs=["model.pkl"], outputs=[f"pred/{i}" for i in range(3)]),
            run("predict", 20, inputs=["model.pkl"], outputs=[f"pred/{i}" for i in range(3, 6)]),
        ]
    )


def test_flagging_an_impact_flags_every_endpoint_once_and_review_lists_them(client: Client) -> None:
    fan_out(client)
    client.flag("pred/0", "seen before")
    assert client.flag_impact("raw.csv", "bad raw file") == 5
    assert client.impact("raw.csv").flagged == 6
    flagged = {p.name: p.flag_reason for p in client.flags()}
    assert flagged == {"pred/0": "seen before", **{f"pred/{i}": "bad raw file" for i in range(1, 6)}}
    review = client.review()
    assert set(review["flagged"]) == set(flagged)
    assert client.flag_impact("raw.csv", "again") == 0
    assert client.review() == review
    assert {p.name: p.flag_reason for p in client.flags()} == flagged


def test_flagging_is_bounded_by_since_and_until(client: Client) -> None:
    fan_out(client)
    assert client.flag_impact("model.pkl", since=at(15)) == 3
    assert {p.name for p in client.flags()} == {"pred/3", "pred/4", "pred/5"}


def test_a_failure_while_flagging_flags_nothing(client: Client) -> None:
    fan_out(client)
    with client.store.engine.begin() as conn:  # the database refuses to flag one output of the six
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                    "IF NEW.name = 'pred/4' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text("CREATE TRIGGER refuse BEFORE UPDATE ON io_pointers FOR EACH ROW EXECUTE FUNCTION refuse()")
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE UPDATE ON io_pointers WHEN NEW.name = 'pred/4' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
    with pytest.raises(DBAPIError, match="refused"):
        client.flag_impact("raw.csv", "bad raw file")
    assert client.flags() == []
    assert client.impact("raw.csv").flagged == 0
