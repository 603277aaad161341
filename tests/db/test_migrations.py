"""The migrations build exactly the schema the models describe, once, on first use."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from mltrace.client import Client
from mltrace.db import search
from mltrace.db.migrate import HEAD, current_revision, head_revision
from mltrace.db.models import Base

EXPRESSION_INDEXES = {"ix_run_params_key_text", "ix_run_metrics_key_text"}  # SQLAlchemy cannot reflect these on SQLite


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrated_schema_matches_the_models(client: Client) -> None:
    client.recent(1)  # first use migrates the empty database
    with client.store.engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        context = MigrationContext.configure(conn, opts={"include_object": _not_the_trigram_index})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def _not_the_trigram_index(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    """The trigram index of output ids exists only where pg_trgm could be installed, so no model declares it;
    the expression indexes are checked by name below."""
    return not (kind == "index" and (name == search.INDEX or name in EXPRESSION_INDEXES))


def test_the_expression_indexes_exist(client: Client) -> None:
    client.recent(1)
    query = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
        "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
    }[client.store.engine.dialect.name]
    with client.store.engine.connect() as conn:
        assert set(conn.execute(text(query)).scalars()) >= EXPRESSION_INDEXES


def test_the_head_a_database_is_checked_against_is_the_newest_migration(client: Client) -> None:
    assert head_revision() == HEAD
    with client.store.engine.connect() as conn:
        assert current_revision(conn) is None  # nothing is stored yet
        assert MigrationContext.configure(conn).get_current_revision() is None
    client.recent(1)
    with client.store.engine.connect() as conn:
        assert current_revision(conn) == MigrationContext.configure(conn).get_current_revision() == HEAD


def test_data_survives_a_new_store_on_the_same_database(client: Client) -> None:
    from tests.factories import run

    client.ingest([run("keep", 0, outputs=["x"])])
    again = Client(client.db_uri)
    assert [r.component_name for r in again.recent(5)] == ["keep"]
    assert "component_runs" in inspect(again.store.engine).get_table_names()
