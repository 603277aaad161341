"""Code snapshots, each distinct text stored once (`code_snapshots`) and named by runs through `code_id`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import Connection, select

from mltrace.db.bulk import allocate_ids, bulk_insert
from mltrace.db.membership import looked_up_in
from mltrace.db.models import code_snapshots

_STORED = select(code_snapshots.c.digest, code_snapshots.c.id).where(looked_up_in(code_snapshots.c.digest, "digests"))


def code_digest(code: str) -> str:
    """The name a code text is stored under: the SHA-256 of its UTF-8 bytes, in hex."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def code_ids(conn: Connection, texts: Iterable[str | None]) -> dict[str | None, int]:
    """The `code_snapshots` id of each distinct text of `texts`, storing those not stored yet; a run without code
    (None) has none, so read it with `.get`.

    Inside the caller's transaction; callers hold `lock_for_writes`, so no other writer adds the same text
    meanwhile. A batch's runs mostly share one text object: telling them apart costs a dict lookup each."""
    by_digest = {code_digest(text): text for text in dict.fromkeys(t for t in texts if t is not None)}
    if not by_digest:
        return {}
    stored: dict[str, int] = {d: i for d, i in conn.execute(_STORED, {"digests": list(by_digest)})}
    new = [digest for digest in by_digest if digest not in stored]
    if new:
        new_ids = allocate_ids(conn, code_snapshots, len(new))
        bulk_insert(
            conn,
            code_snapshots,
            ("id", "digest", "code"),
            [(i, d, by_digest[d]) for i, d in zip(new_ids, new, strict=True)],
        )
        stored.update(zip(new, new_ids, strict=True))
    ids: dict[str | None, int] = {text: stored[digest] for digest, text in by_digest.items()}
    return ids
