"""Two stores of one process migrated at the same moment from two threads both end at the newest schema
(Alembic keeps the running migration's context in module state, shared by every thread)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import inspect

from mltrace.db.migrate import HEAD, current_revision
from mltrace.db.store import Store


def test_two_threads_migrating_two_databases_at_once_both_succeed(tmp_path: Path) -> None:
    for trial in range(10):
        stores = [Store(f"sqlite:///{tmp_path / f'{trial}-{i}.db'}") for i in range(2)]
        barrier = threading.Barrier(len(stores))
        errors: list[BaseException] = []

        def migrate(store: Store, barrier: threading.Barrier = barrier, errors: list = errors) -> None:
            barrier.wait()
            try:
                store.ensure_ready()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=migrate, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        for store in stores:
            with store.engine.connect() as conn:
                assert current_revision(conn) == HEAD
                assert {"components", "component_runs", "run_dependencies"} <= set(inspect(conn).get_table_names())
