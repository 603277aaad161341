"""API tokens and their scopes, the audit trail's entries, and who is acting now (the actor of audited writes)."""

from __future__ import annotations

import contextvars
import hashlib
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

SCOPES = ("read", "write", "admin")
"""Each scope allows what the ones before it allow."""
LOCAL = "local"
"""The actor of a write made on the database directly (the CLI with --db, the Python API without a server)."""
ANONYMOUS = "anonymous"
"""The actor of a write through a server that does not require tokens."""
TOKEN_PREFIX = "mlt_"
MAX_TOKEN_NAME = 64
TOKEN_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_TOKEN_NAME = re.compile(TOKEN_NAME_PATTERN)
_DURATION = re.compile(r"^([1-9][0-9]{0,4})([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def scope_allows(held: str, needed: str) -> bool:
    """Whether a token of scope `held` may do what needs `needed`."""
    return SCOPES.index(held) >= SCOPES.index(needed)


def check_token_name(name: str) -> str | None:
    """Why `name` cannot name a token (letters, digits, `.`, `_`, `-`, at most 64), or None."""
    if not isinstance(name, str) or not _TOKEN_NAME.fullmatch(name):
        return "a token name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
    return None


def parse_duration(text: str) -> timedelta:
    """`90d`, `12h`, `2w` as a timedelta; ValueError otherwise."""
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90d, 12h or 2w")
    return int(match.group(1)) * _UNITS[match.group(2)]


def new_secret() -> str:
    """A fresh token: the prefix and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """What is stored of a token: the SHA-256 of its text (the text has 256 random bits, so no salt or stretching
    is needed)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class ApiToken:
    """A token as stored: never its secret."""

    name: str
    scope: str
    created_at: datetime
    created_by: str = LOCAL
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def usable_at(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True)
class AuditEntry:
    """One recorded write: who, when, what (`action` on `target_kind` `target`), and the values before and after."""

    id: int
    at: datetime
    actor: str
    action: str
    target_kind: str
    target: str
    before: Any = None
    after: Any = None
    details: dict[str, Any] = field(default_factory=dict)


_actor: contextvars.ContextVar[str] = contextvars.ContextVar("mltrace_actor", default=LOCAL)


def current_actor() -> str:
    """Who the writes of this thread, task or request are recorded as made by (`local` unless set)."""
    return _actor.get()


@contextmanager
def acting_as(name: str) -> Iterator[None]:
    """Records the writes made inside the block as made by `name`."""
    token = _actor.set(name)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(name: str) -> contextvars.Token[str]:
    """Sets the actor until `reset_actor` (for a server's request hooks, which cannot wrap the view in a block)."""
    return _actor.set(name)


def reset_actor(token: contextvars.Token[str]) -> None:
    _actor.reset(token)
