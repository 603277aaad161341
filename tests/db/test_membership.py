"""A list of ids bound as one parameter is a row source on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select, text

from mltrace.client import Client
from mltrace.db.membership import ValueList, id_rows, looked_up_in, member_of
from mltrace.db.models import pointers, runs
from mltrace.db.postgres import prefer_index_walks
from tests.factories import run


def test_id_rows_has_a_row_per_bound_id(client: Client) -> None:
    store = client.store
    store.ensure_ready()
    sql = text(f"SELECT ids.id FROM {id_rows(store.dialect, 'ids')} ORDER BY ids.id")
    statement = sql.bindparams(bindparam("ids", type_=ValueList()))
    with store.read() as conn:
        assert list(conn.execute(statement, {"ids": [30, 10, 20]}).scalars()) == [10, 20, 30]
        assert list(conn.execute(statement, {"ids": []}).scalars()) == []
        assert list(conn.execute(statement, {"ids": range(5000)}).scalars()) == list(range(5000))


@pytest.mark.parametrize("membership", [member_of, looked_up_in])
def test_membership_finds_awkward_names_and_only_them(client: Client, membership) -> None:
    names = ['a"b', "c\\d", "x,y", " padded ", "NULL", "{braces}", "ünï/çødé #?%", "it's"]
    client.ingest([run("w", 0, outputs=[*names, "other"])])
    statement = select(pointers.c.name).where(membership(pointers.c.name, "names"))
    with client.store.read() as conn:
        assert sorted(conn.execute(statement, {"names": [*names, "absent"]}).scalars()) == sorted(names)
        assert list(conn.execute(statement, {"names": []}).scalars()) == []
        ids = select(pointers.c.id).where(membership(pointers.c.id, "ids"))
        assert len(list(conn.execute(ids, {"ids": list(range(1, 100))}).scalars())) == len(names) + 1


def test_looked_up_values_are_found_through_the_index(postgres_uri: str, mltrace_home) -> None:
    # `= ANY(list)` has PostgreSQL scan the table until it holds a few hundred thousand rows
    client = Client(postgres_uri)
    client.ingest([run("w", i, outputs=[f"out/{i}"]) for i in range(3000)])
    statement = select(pointers.c.id).where(looked_up_in(pointers.c.name, "names"))
    with client.store.write() as conn:
        prefer_index_walks(conn)  # as ingest does
        compiled = statement.compile(conn)
        sql = str(compiled) % {"names": "'{" + ",".join(f"out/{i}" for i in range(0, 3000, 3)) + "}'"}
        plan = " ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}"))
    assert "io_pointers_name_key" in plan and "Seq Scan on io_pointers" not in plan, plan


@pytest.mark.parametrize("membership", [member_of, looked_up_in])
def test_a_membership_is_a_lookup_by_key_not_a_scan(client: Client, membership) -> None:
    """On SQLite a boolean expression SQLAlchemy does not know as one is compared with 1, and `(x IN (…)) = 1`
    read every run to find one (inspect of a run of 202 pointers: 600 µs instead of 250)."""
    store = client.store
    client.ingest([run("w", i, outputs=[f"o/{i}"]) for i in range(50)])
    statement = select(runs.c.id).where(membership(runs.c.id, "ids"))
    with store.read() as conn:
        assert list(conn.execute(statement, {"ids": [3, 5]}).scalars()) == [3, 5]
        if store.dialect == "sqlite":
            sql = str(statement.compile(dialect=conn.dialect))
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", ("[3, 5]",)))
            assert "SCAN component_runs" not in plan, plan
