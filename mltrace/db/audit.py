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
    target_kind: str | None = None,
    target: str | None = None,
) -> list[AuditEntry]:
    """Records newest first (by time, then id), strictly before the cursor `before` (time, id), at or after
    `since`, and only those about one target when `target_kind` and `target` are given (a run: its own changes and
    those of the outputs it wrote)."""
    query = select(audit_log)
    if before is not None:
        query = query.where(tuple_(audit_log.c.at, audit_log.c.id) < tuple_(before[0], before[1]))
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if target_kind == "run" and target is not None:  # the run's own changes and those of the outputs it wrote
        written = (
            select(pointers.c.name)
            .join(run_outputs, run_outputs.c.pointer_id == pointers.c.id)
            .where(run_outputs.c.run_id == int(target))
        )
        query = query.where(
            or_(
                and_(audit_log.c.target_kind == "run", audit_log.c.target == target),
                and_(audit_log.c.target_kind == "output", audit_log.c.target.in_(written)),
            )
        )
    elif target_kind is not None and target is not None:
        query = query.where(audit_log.c.target_kind == target_kind, audit_log.c.target == target)
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
