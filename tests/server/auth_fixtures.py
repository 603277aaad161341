"""Tokens of every kind in a store, for the tests of a server that requires them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from mltrace.client import Client
from mltrace.db import tokens
from mltrace.entities.access import hash_secret, new_secret
from mltrace.entities.times import now_utc


@dataclass(frozen=True)
class Tokens:
    """The secret of a token of each kind: one per scope, a revoked one and an expired one (both admin)."""

    read: str
    write: str
    admin: str
    revoked: str
    expired: str

    def header(self, kind: str) -> dict[str, str]:
        """The Authorization header of the token of this kind; none for `none`."""
        return {} if kind == "none" else {"Authorization": f"Bearer {getattr(self, kind)}"}


def make_tokens(client: Client) -> Tokens:
    """Creates the tokens `reader`, `writer`, `admin`, `revoked` and `expired` in the client's database."""
    made = {scope: client.create_token(name, scope)[1] for name, scope in (("reader", "read"), ("writer", "write"))}
    made["admin"] = client.create_token("admin", "admin")[1]
    made["revoked"] = client.create_token("revoked", "admin")[1]
    client.revoke_token("revoked")
    expired = new_secret()
    client.store.change(tokens.create, "expired", "admin", hash_secret(expired), now_utc() - timedelta(seconds=1))
    return Tokens(made["read"], made["write"], made["admin"], made["revoked"], expired)
