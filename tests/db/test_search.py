"""Search completes output ids by their start on every database, and by any fragment where PostgreSQL has
pg_trgm; each through an index, so its cost follows what it returns."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import text

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db import search
from mltrace.db.search import _after_prefix
from mltrace.db.store import dispose_engines
from tests.conftest import PG_ADMIN
from tests.factories import run

NAMES = ["pred/b", "pred/B", "pred/a1", "pred/a", "Pred/x", "data/pred.csv", "a_b", "axb", "50%", "500", "café/1"]


def _outputs(client: Client, q: str, limit: int = 20) -> list[str]:
    return [r["value"] for r in client.search(q, limit) if r["kind"] == "output"]


@pytest.fixture
def named(client: Client) -> Client:
    client.ingest([run("writer", 0, outputs=NAMES)])
    return client


def test_ids_that_start_with_the_text_are_listed_in_code_point_order(named: Client) -> None:
    assert _outputs(named, "pred") == ["pred/B", "pred/a", "pred/a1", "pred/b"]  # case counts: not "Pred/x"
    assert _outputs(named, "pred/a") == ["pred/a", "pred/a1"]
    assert _outputs(named, "pred", limit=2) == ["pred/B", "pred/a"]


def test_when_no_id_starts_with_the_text_ids_containing_it_come_shortest_first_on_postgresql(named: Client) -> None:
    containing = ["Pred/x", "pred/B", "pred/a", "pred/b", "pred/a1", "data/pred.csv"]  # ASCII letters in any case
    assert _outputs(named, "red") == (containing if named.dialect == "postgresql" else [])
    some = _outputs(named, "RED", limit=3)  # which three of them is not defined: typing more narrows them
    if named.dialect == "postgresql":
        assert len(some) == 3 and set(some) < set(containing)
        assert some == sorted(some, key=lambda name: (len(name), name))
    else:
        assert some == []


def test_the_text_is_matched_as_written_not_as_a_pattern(named: Client) -> None:
    assert _outputs(named, "a_b") == ["a_b"]
    assert _outputs(named, "50%") == ["50%"]
    assert _outputs(named, "caf") == ["café/1"]
    assert _outputs(named, "zzz") == []
    assert _outputs(named, "")[:3] == ["50%", "500", "Pred/x"]  # everything starts with the empty text


def test_a_fragment_from_the_middle_finds_ids_on_postgresql_only(named: Client) -> None:
    assert _outputs(named, "ed.cs") == (["data/pred.csv"] if named.dialect == "postgresql" else [])
    assert _outputs(named, "d/") == []  # two characters: no trigram to look up, and no id starts with them


def test_components_tags_and_run_ids_still_match_anywhere(client: Client) -> None:
    (run_id,) = client.ingest([run("nightly_train", 0, outputs=["model.pkl"])])
    client.tag_component("nightly_train", ["team/ml"])
    assert {r["value"] for r in client.search("train")} == {"nightly_train"}
    assert {"kind": "tag", "value": "team/ml", "label": "team/ml"} in client.search("ml")
    label = f"run {run_id} (nightly_train)"
    assert client.search(str(run_id))[0] == {"kind": "run", "value": str(run_id), "label": label}
    assert client.search("99999999999999") == []  # no run id is that large


@pytest.mark.parametrize("q", ["a", "pred/", "z", "\ud7ff", "x\U0010ffff", "\U0010ffff", ""])
def test_the_bound_after_a_prefix_is_above_every_text_with_it_and_below_the_next(q: str) -> None:
    after = _after_prefix(q)
    if q.strip("\U0010ffff") == "":
        assert after is None  # every text from `q` on starts with it
        return
    assert after is not None
    for suffix in ["", "a", "\U0010fffe", "\uffff", "\ue000", "zz"]:
        assert q + suffix < after
    assert after.encode("utf-8")  # no surrogate: PostgreSQL and SQLite take it
    if q and q[-1] != "\U0010ffff":
        assert after == q[:-1] + chr(ord(q[-1]) + 1 if q[-1] != "\ud7ff" else 0xE000)


def test_output_ids_are_kept_in_byte_order_on_postgresql(postgres_uri: str, mltrace_home: Path) -> None:
    client = Client(postgres_uri, config=Config.from_env())
    client.store.ensure_ready()
    with client.store.read() as conn:
        collation = conn.execute(
            text(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'io_pointers' AND column_name = 'name'"
            )
        ).scalar()
    assert collation == "C"


def test_without_the_trigram_index_ids_are_found_by_their_start(postgres_uri: str, mltrace_home: Path) -> None:
    client = Client(postgres_uri, config=Config.from_env())
    client.ingest([run("writer", 0, outputs=NAMES)])
    with client.store.write() as conn:
        conn.execute(text(f"DROP INDEX {search.INDEX}"))
    dispose_engines()  # connections remember whether the index exists
    client = Client(postgres_uri, config=Config.from_env())
    assert _outputs(client, "pred") == ["pred/B", "pred/a", "pred/a1", "pred/b"]
    assert _outputs(client, "ed.cs") == []


@pytest.fixture
def database_without_pg_trgm() -> Iterator[str]:
    """A new database with a user who may create tables in their own schema but not install extensions."""
    suffix = uuid.uuid4().hex[:8]
    database, role = f"mltrace_notrgm_{suffix}_perf", f"mltrace_user_{suffix}_perf"
    admin = psycopg2.connect(f"{PG_ADMIN}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{database}"')
        cur.execute(f'CREATE ROLE "{role}" LOGIN')
    owner = psycopg2.connect(f"{PG_ADMIN}/{database}")
    owner.autocommit = True
    with owner.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{role}" AUTHORIZATION "{role}"')
        cur.execute(f'REVOKE CREATE ON DATABASE "{database}" FROM PUBLIC')
    owner.close()
    host = PG_ADMIN.split("@", 1)[1]
    yield f"postgresql://{role}@{host}/{database}"
    dispose_engines()
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
        cur.execute(f'DROP ROLE "{role}"')
    admin.close()


def test_a_database_without_pg_trgm_is_migrated_and_says_how_to_add_the_index(
    database_without_pg_trgm: str, mltrace_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(database_without_pg_trgm, config=Config.from_env())
    with caplog.at_level(logging.WARNING, logger="mltrace.db.search"):
        client.ingest([run("writer", 0, outputs=NAMES)])
    (message,) = [r.getMessage() for r in caplog.records if r.name == "mltrace.db.search"]
    assert "search finds output ids by their start only" in message
    assert "CREATE EXTENSION pg_trgm;" in message
    assert f"CREATE INDEX {search.INDEX} ON " in message
    assert _outputs(client, "pred") == ["pred/B", "pred/a", "pred/a1", "pred/b"]
    assert _outputs(client, "ed.cs") == []
