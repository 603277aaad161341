"""API tokens in the database: create, list, revoke (each audited in its own transaction), and look one up by hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from mltrace.db import audit
from mltrace.db.locks import lock_for_writes
from mltrace.db.models import api_tokens
from mltrace.entities.access import ApiToken, current_actor
from mltrace.entities.times import iso_utc, now_utc
from mltrace.errors import ConflictError, NotFoundError


def _entity(row: Any) -> ApiToken:
    return ApiToken(
        name=row.name,
        scope=row.scope,
        created_at=row.created_at,
        created_by=row.created_by,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def _active(name: str) -> Any:
    return select(api_tokens).where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))


def create(conn: Connection, name: str, scope: str, token_hash: str, expires_at: datetime | None) -> ApiToken:
    """Stores a new token's hash; InvalidInputError when a token of that name is not revoked."""
    lock_for_writes(conn)
    if conn.execute(_active(name)).first() is not None:
        raise ConflictError(f"a token named {name!r} exists; revoke it first or pick another name")
    token = ApiToken(name, scope, now_utc(), current_actor(), expires_at)
    conn.execute(
        api_tokens.insert().values(
            name=name,
            scope=scope,
            token_hash=token_hash,
            created_at=token.created_at,
            created_by=token.created_by,
            expires_at=expires_at,
        )
    )
    audit.record(conn, "token_create", "token", name, None, _summary(token))
    return token


def revoke(conn: Connection, name: str) -> ApiToken:
    """Revokes the token of that name; NotFoundError when there is none (or it is revoked already)."""
    lock_for_writes(conn)
    row = conn.execute(_active(name)).first()
    if row is None:
        raise NotFoundError(f"No token named {name!r} (or it is revoked already).")
    at = now_utc()
    conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(revoked_at=at))
    before = _entity(row)
    after = ApiToken(before.name, before.scope, before.created_at, before.created_by, before.expires_at, at)
    audit.record(conn, "token_revoke", "token", name, _summary(before), _summary(after))
    return after


def list_all(conn: Connection) -> list[ApiToken]:
    """Every token, revoked ones too, by name then creation."""
    query = select(api_tokens).order_by(api_tokens.c.name, api_tokens.c.created_at)
    return [_entity(row) for row in conn.execute(query)]


def by_hash(conn: Connection, token_hash: str) -> ApiToken | None:
    """The token with this hash, revoked or expired ones too; None when there is none."""
    row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == token_hash)).first()
    return None if row is None else _entity(row)


def _summary(token: ApiToken) -> dict[str, Any]:
    """What the audit keeps of a token (never its hash)."""
    return {
        "scope": token.scope,
        "expires_at": iso_utc(token.expires_at) if token.expires_at else None,
        "revoked_at": iso_utc(token.revoked_at) if token.revoked_at else None,
    }
