"""The audit trail in the database: recording a write (in the write's own transaction) and listing the records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select, tuple_

from mltrace.db.models import audit_log, pointers, run_outputs
from mltrace.entities.access import AuditEntry, current_actor
from mltrace.entities.times import now_utc


def record(conn: Connection, action: str, target_kind: str, target: str, before: Any = None, after: Any = None) -> None:
    """Records one write by the current actor (`entities.access.current_actor`), on `conn`'s transaction."""
    record_many(conn, action, target_kind, [(target, before, after)])


def record_many(conn: Connection, action: str, target_kind: str, changes: list[tuple[str, Any, Any]]) -> None:
    """Records one write per `(target, before, after)`, all at the same time, by the current actor."""
    if not changes:
        return
    at, actor = now_utc(), current_actor()
    rows = [
        {
            "at": at,
            "actor": actor,
            "action": action,
            "target_kind": target_kind,
            "target": target,
            "before": before,
            "after": after,
        }
        for target, before, after in changes
    ]
    conn.execute(audit_log.insert(), rows)


def list_entries(
    conn: Connection,
    limit: int,
    before: tuple[datetime, int] | None = None,
    since: datetime | None = None,
    run_id: int | None = None,
    output_id: str | None = None,
) -> list[AuditEntry]:
    """Records newest first (by time, then id), strictly before the cursor `before` (time, id), at or after
    `since`; with `run_id` or `output_id`, only those about the run (its own changes and those of the outputs it
    wrote) or about the output (either, when both are given)."""
    query = select(audit_log)
    if before is not None:
        query = query.where(tuple_(audit_log.c.at, audit_log.c.id) < tuple_(before[0], before[1]))
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    about = []
    if run_id is not None:
        written = (
            select(pointers.c.name)
            .join(run_outputs, run_outputs.c.pointer_id == pointers.c.id)
            .where(run_outputs.c.run_id == run_id)
        )
        about.append(and_(audit_log.c.target_kind == "run", audit_log.c.target == str(run_id)))
        about.append(and_(audit_log.c.target_kind == "output", audit_log.c.target.in_(written)))
    if output_id is not None:
        about.append(and_(audit_log.c.target_kind == "output", audit_log.c.target == output_id))
    if about:
        query = query.where(or_(*about))
    query = query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
    return [
        AuditEntry(
            id=row.id,
            at=row.at,
            actor=row.actor,
            action=row.action,
            target_kind=row.target_kind,
            target=row.target,
            before=row.before,
            after=row.after,
        )
        for row in conn.execute(query)
    ]
