"""A connection lost in the middle of a COPY is an outage, as for any other statement: the batch is retried on
a new connection and stored once, and what cannot reach the store is kept for later, not set aside as refused."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, OperationalError

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db.bulk import bulk_insert
from mltrace.db.models import pointers, runs
from mltrace.errors import StoreUnreachableError
from tests.conftest import PG_ADMIN
from tests.factories import run
from tests.faults import terminate_backend
from tests.ports import free_port
from tests.tcp_proxy import TcpProxy


def test_a_copy_whose_connection_the_server_closed_fails_as_unreachable(postgres_uri: str, mltrace_home: Path) -> None:
    store = Client(postgres_uri, config=Config.from_env()).store
    sent: list[int] = []

    def rows(pid: int) -> Iterator[tuple[object, ...]]:
        for i in range(20_000):
            if i == 2_000:
                terminate_backend(pid)  # while the driver is sending the COPY's rows
            sent.append(i)
            yield (i + 1, f"lost/{i}", "data", False)

    with pytest.raises(DBAPIError) as raised, store.write() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        bulk_insert(conn, pointers, ("id", "name", "pointer_type", "flag"), rows(pid))
    assert len(sent) > 2_000  # the COPY was under way
    # the COPY's own error, as SQLAlchemy raises a lost connection's, not a later ROLLBACK's on the dead connection
    assert isinstance(raised.value, OperationalError), repr(raised.value)
    assert raised.value.connection_invalidated
    assert str(raised.value.statement).startswith("COPY io_pointers")  # what the store reports as unreachable
    with store.read() as conn:  # the pool replaced the dead connection
        assert conn.execute(select(func.count()).select_from(pointers)).scalar_one() == 0


def _kill_the_first_copy(application: str, stop: threading.Event, killed: list[int]) -> None:
    """Terminates the first connection of `application` seen running a COPY."""
    admin = psycopg2.connect(f"{PG_ADMIN}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        while not stop.is_set() and not killed:
            cur.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND query LIKE 'COPY %%' "
                "AND state = 'active'",
                (application,),
            )
            for (pid,) in cur.fetchall():
                cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
                killed.append(pid)
            time.sleep(0.001)
    admin.close()


def test_a_batch_cut_off_in_the_middle_of_a_copy_is_stored_once_on_a_new_connection(
    postgres_uri: str, mltrace_home: Path
) -> None:
    application = f"mltrace-test-{uuid.uuid4().hex[:8]}"
    client = Client(f"{postgres_uri}&application_name={application}", config=Config.from_env())
    client.store.ensure_ready()
    code = "def step():\n    return 1\n" * 100  # 2.6 kB a run: the COPY of runs lasts long enough to be seen
    records = [run("step", i, outputs=[f"out/{i}"], code_snapshot=code) for i in range(8_000)]
    stop, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_the_first_copy, args=(application, stop, killed))
    killer.start()
    try:
        ids = client.ingest(records)
    finally:
        stop.set()
        killer.join()
    assert killed, "no COPY was seen in flight"
    assert len(ids) == 8_000
    with client.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(runs)).scalar_one() == 8_000


def test_a_store_behind_a_cut_line_is_unreachable_in_the_middle_of_a_copy(
    postgres_uri: str, mltrace_home: Path
) -> None:
    port = free_port()
    proxy = TcpProxy(port, ("127.0.0.1", 5432))
    proxy.start()
    behind_proxy = postgres_uri.replace("127.0.0.1:5432", f"127.0.0.1:{port}")
    application = f"mltrace-test-{uuid.uuid4().hex[:8]}"
    client = Client(f"{behind_proxy}&application_name={application}", config=Config.from_env())
    client.store.ensure_ready()
    code = "def step():\n    return 1\n" * 100
    records = [run("step", i, outputs=[f"out/{i}"], code_snapshot=code) for i in range(8_000)]
    cut = threading.Event()

    def cut_when_copying() -> None:
        admin = psycopg2.connect(f"{PG_ADMIN}/postgres")
        admin.autocommit = True
        with admin.cursor() as cur:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not cut.is_set():
                cur.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND query LIKE 'COPY %%' "
                    "AND state = 'active'",
                    (application,),
                )
                if cur.fetchone():
                    proxy.stop()  # the line goes down: no answer from the server, and no new connection
                    cut.set()
                time.sleep(0.001)
        admin.close()

    watcher = threading.Thread(target=cut_when_copying)
    watcher.start()
    try:
        with pytest.raises(Exception) as raised:
            client.ingest(records)
    finally:
        watcher.join()
        proxy.stop()
    assert cut.is_set(), "no COPY was seen in flight"
    assert isinstance(raised.value, StoreUnreachableError), repr(raised.value)
