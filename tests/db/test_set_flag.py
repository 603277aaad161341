"""Flagging changes the output and records the change, the state before and after, in one transaction; an output
never logged is neither changed nor recorded."""

from __future__ import annotations

import pytest

from mltrace.client import Client
from mltrace.db import audit, queries
from mltrace.entities.times import UTC
from mltrace.errors import NotFoundError
from tests.factories import run


def _flag_records(client: Client) -> list[tuple[str, str, object, object]]:
    with client.store.read() as conn:
        entries = audit.list_entries(conn, 50)
    return [(e.action, e.target, e.before, e.after) for e in reversed(entries) if e.target_kind == "output"]


def test_each_flag_records_the_state_before_and_after(client: Client) -> None:
    client.ingest([run("w", 0, outputs=["out"])])
    flagged = client.flag("out", "wrong")
    assert (flagged.name, flagged.flag, flagged.flag_reason) == ("out", True, "wrong")
    assert flagged.flagged_at is not None and flagged.flagged_at.tzinfo is UTC
    client.flag("out", "still wrong")
    unflagged = client.unflag("out")
    assert (unflagged.flag, unflagged.flag_reason, unflagged.flagged_at) == (False, None, None)
    assert _flag_records(client) == [
        ("flag", "out", {"flagged": False, "reason": None}, {"flagged": True, "reason": "wrong"}),
        ("flag", "out", {"flagged": True, "reason": "wrong"}, {"flagged": True, "reason": "still wrong"}),
        ("unflag", "out", {"flagged": True, "reason": "still wrong"}, {"flagged": False, "reason": None}),
    ]
    with client.store.read() as conn:
        assert queries.get_pointer(conn, "out").flag is False


def test_an_output_never_logged_is_not_found_and_nothing_is_recorded(client: Client) -> None:
    client.ingest([run("w", 0, outputs=["out"])])
    with pytest.raises(NotFoundError):
        client.flag("never-logged", "wrong")
    with pytest.raises(NotFoundError):
        client.unflag("never-logged")
    assert _flag_records(client) == []
