"""A list of ids bound as one parameter is a row source on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import bindparam, text

from mltrace.client import Client
from mltrace.db.membership import IdList, id_rows


def test_id_rows_has_a_row_per_bound_id(client: Client) -> None:
    store = client.store
    store.ensure_ready()
    sql = text(f"SELECT ids.id FROM {id_rows(store.dialect, 'ids')} ORDER BY ids.id")
    statement = sql.bindparams(bindparam("ids", type_=IdList()))
    with store.read() as conn:
        assert list(conn.execute(statement, {"ids": [30, 10, 20]}).scalars()) == [10, 20, 30]
        assert list(conn.execute(statement, {"ids": []}).scalars()) == []
        assert list(conn.execute(statement, {"ids": range(5000)}).scalars()) == list(range(5000))
