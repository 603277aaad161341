"""A list of ids bound as one parameter is a row source on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import bindparam, select, text

from mltrace.client import Client
from mltrace.db.membership import ValueList, id_rows, member_of
from mltrace.db.models import pointers
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


def test_member_of_finds_awkward_names_and_only_them(client: Client) -> None:
    names = ['a"b', "c\\d", "x,y", " padded ", "NULL", "{braces}", "ünï/çødé #?%", "it's"]
    client.ingest([run("w", 0, outputs=[*names, "other"])])
    statement = select(pointers.c.name).where(member_of(pointers.c.name, "names"))
    with client.store.read() as conn:
        assert sorted(conn.execute(statement, {"names": [*names, "absent"]}).scalars()) == sorted(names)
        assert list(conn.execute(statement, {"names": []}).scalars()) == []
        ids = select(pointers.c.id).where(member_of(pointers.c.id, "ids"))
        assert len(list(conn.execute(ids, {"ids": list(range(1, 100))}).scalars())) == len(names) + 1
