"""The list of flagged outputs reads only flagged pointers, however many pointers are stored."""

from __future__ import annotations

from sqlalchemy import text

from mltrace.client import Client
from mltrace.db.models import pointers
from mltrace.db.queries import FLAGGED


def test_flagged_outputs_are_read_through_the_partial_index(client: Client) -> None:
    store = client.store
    store.ensure_ready()
    with store.write() as conn:
        rows = [{"name": f"pred/{i}", "pointer_type": "data", "flag": False} for i in range(20_000)]
        conn.execute(pointers.insert(), rows)
    for i in range(0, 20_000, 2_000):
        client.flag(f"pred/{i}", "wrong unit")
    sql = str(FLAGGED.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}))
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("ANALYZE io_pointers"))
            plan = " ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}"))
        else:
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    assert "ix_io_pointers_flagged" in plan, plan
    assert [p.name for p in client.flags()][:2] == ["pred/18000", "pred/16000"]
    assert len(client.flags()) == 10
