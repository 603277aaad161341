"""Each distinct code snapshot is stored once, runs read theirs back, and migration 0008 moves stored code."""

from __future__ import annotations

from alembic import command
from sqlalchemy import MetaData, Table, func, insert, select, text

from mltrace.client import Client
from mltrace.db.code_snapshots import code_digest
from mltrace.db.engine import make_engine
from mltrace.db.migrate import alembic_config, upgrade
from mltrace.db.models import code_snapshots
from tests.factories import at, run

TRAIN = "def train(rows):\n    # é, 🙂\n    return sum(rows) / len(rows)\n" * 40
SCORE = "def score(model, rows):\n    return [model(r) for r in rows]\n"


def _stored_code(client: Client) -> dict[str, str]:
    with client.store.engine.connect() as conn:
        return {d: c for d, c in conn.execute(select(code_snapshots.c.digest, code_snapshots.c.code))}


def test_runs_sharing_code_store_it_once_and_each_reads_it_back(client: Client) -> None:
    first = [run("train", i, code_snapshot=TRAIN) for i in range(50)]
    first += [run("score", 100 + i, code_snapshot="".join(SCORE)) for i in range(3)]  # equal texts, new objects
    first += [run("bare", 200), run("empty", 201, code_snapshot="")]
    ids = client.ingest(first)
    later = client.ingest(
        [run("train", 300, code_snapshot=TRAIN + "# changed\n"), run("score", 301, code_snapshot=SCORE)]
    )

    assert _stored_code(client) == {code_digest(t): t for t in (TRAIN, SCORE, "", TRAIN + "# changed\n")}
    codes = [client.get_run(i).code_snapshot for i in (*ids, *later)]
    assert codes == [TRAIN] * 50 + [SCORE] * 3 + [None, ""] + [TRAIN + "# changed\n", SCORE]


def test_an_openlineage_run_rewritten_in_place_names_its_new_code(client: Client) -> None:
    (started,) = client.ingest_openlineage([_event("START", None)])
    (completed,) = client.ingest_openlineage([_event("COMPLETE", SCORE)])  # the same run, rebuilt in place
    assert started["run_id"] == completed["run_id"]
    assert client.get_run(completed["run_id"]).code_snapshot == SCORE
    assert _stored_code(client) == {code_digest(SCORE): SCORE}


def _event(kind: str, code: str | None) -> dict:
    facets = {} if code is None else {"sourceCode": {"language": "python", "sourceCode": code}}
    return {
        "eventType": kind,
        "eventTime": at(0 if kind == "START" else 1).isoformat(),
        "run": {"runId": "01890000-0000-7000-8000-000000000001"},
        "job": {"namespace": "ns", "name": "train", "facets": facets},
        "inputs": [],
        "outputs": [],
        "producer": "https://example.com/producer",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    }


def test_migration_moves_each_runs_code_into_one_row_per_text_and_back(db_uri: str) -> None:
    engine = make_engine(db_uri)
    upgrade(engine, "0007")
    with engine.begin() as conn:
        old_runs = Table("component_runs", MetaData(), autoload_with=conn)
        rows = [_old_run(i, code) for i, code in enumerate([TRAIN, TRAIN, SCORE, None, TRAIN], start=1)]
        conn.execute(insert(old_runs), rows)
    upgrade(engine)

    client = Client(db_uri)
    assert _stored_code(client) == {code_digest(TRAIN): TRAIN, code_digest(SCORE): SCORE}
    assert [client.get_run(i).code_snapshot for i in range(1, 6)] == [TRAIN, TRAIN, SCORE, None, TRAIN]
    (new_id,) = client.ingest([run("train", 10, code_snapshot=TRAIN)])
    assert client.get_run(new_id).code_snapshot == TRAIN
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(code_snapshots)).scalar_one() == 2

    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT code_snapshot FROM component_runs ORDER BY id")).scalars().all()
    assert back == [TRAIN, TRAIN, SCORE, None, TRAIN, TRAIN]


def _old_run(run_id: int, code: str | None) -> dict:
    """A run as revision 0007 stored it, its code in the run's own row."""
    return {  # the id from the table's own sequence: 1, 2, … in a new database
        "key": f"{run_id:064d}",
        "component_name": "train",
        "start_ts": at(run_id),
        "end_ts": at(run_id + 1),
        "status": "success",
        "code_snapshot": code,
        "git_tags": [],
        "notes": "",
        "params": {},
        "metrics": {},
        "test_results": [],
        "stale": [],
        "warnings": [],
        "staleness_threshold_s": 3600.0,
        "inputs_count": 0,
        "outputs_count": 0,
    }
