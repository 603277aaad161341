"""The JSON shapes of API tokens and of the audit trail: their arguments, bodies and answers."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from mltrace.entities.access import MAX_TOKEN_NAME, SCOPES, TOKEN_NAME_PATTERN, parse_duration
from mltrace.entities.cursor import encode_cursor
from mltrace.entities.limits import MAX_POINTER_NAME_BYTES
from mltrace.server.schemas import MAX_ID, Cursor, JsonData, QueryArgs, Text, Timestamp, UtcDateTime, _limit

DURATION_PATTERN = "^[1-9][0-9]{0,4}[hdw]$"


class TokenName(fields.String):
    """A token's name: 1-64 letters, digits, `.`, `_`, `-`, starting with a letter or digit."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            validate=validate.Regexp(TOKEN_NAME_PATTERN, error="Not a token name (letters, digits, . _ -)."),
            metadata={"pattern": TOKEN_NAME_PATTERN, "maxLength": MAX_TOKEN_NAME},
            **kwargs,
        )


class TokenCreateBody(ma.Schema):
    name = TokenName(required=True)
    scope = fields.String(
        required=True,
        validate=validate.OneOf(SCOPES),
        metadata={"description": "read: queries; write: also logging runs, flags, notes; admin: also tokens."},
    )
    expires = fields.String(
        load_default=None,
        validate=validate.Regexp(DURATION_PATTERN, error="Not a duration like 90d, 12h or 2w."),
        metadata={"pattern": DURATION_PATTERN, "description": "Lifetime (`90d`, `12h`, `2w`); none: never expires."},
    )

    @ma.post_load
    def to_timedelta(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("expires") is not None:
            data["expires"] = parse_duration(data["expires"])
        return data


class TokenSchema(ma.Schema):
    name = fields.String()
    scope = fields.String(validate=validate.OneOf(SCOPES))
    created_at = UtcDateTime()
    created_by = fields.String(metadata={"description": "Who created it: a token's name, or `local`."})
    expires_at = UtcDateTime(allow_none=True)
    revoked_at = UtcDateTime(allow_none=True)


class TokenListSchema(ma.Schema):
    tokens = fields.List(fields.Nested(TokenSchema))


class TokenCreatedSchema(TokenSchema):
    token = fields.String(metadata={"description": "The token itself: shown this once, only its hash is stored."})


class AuditCursor(Cursor):
    """The `before` cursor of the audit trail: the time and id of the last entry of a page."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else encode_cursor(value.at, value.id)


class AuditArgs(QueryArgs):
    limit = _limit(50)
    before = AuditCursor(metadata={"description": "The `next` cursor of the previous page."})
    since = Timestamp(metadata={"description": "Entries recorded at or after this time (ISO 8601; naive is UTC)."})
    run_id = fields.Integer(
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "Only the changes of this run: its notes, and the flags of the outputs it wrote."},
    )
    output_id = Text(
        min_chars=1,
        max_bytes=MAX_POINTER_NAME_BYTES,
        metadata={"description": "Only the changes of this output (its flag)."},
    )


class AuditEntrySchema(ma.Schema):
    id = fields.Integer()
    at = UtcDateTime()
    actor = fields.String(metadata={"description": "A token's name; `local` for the database used directly."})
    action = fields.String(
        metadata={"description": "flag, unflag, flag_impact, notes, values, tag, clean, token_create, token_revoke."}
    )
    target_kind = fields.String(metadata={"description": "output, run, component, token or database."})
    target = fields.String()
    before = JsonData(metadata={"description": "The value before the change (a flag's state, a run's notes)."})
    after = JsonData(metadata={"description": "The value after it."})


class AuditPageSchema(ma.Schema):
    entries = fields.List(fields.Nested(AuditEntrySchema))
    next = AuditCursor(
        allow_none=True, metadata={"description": "Pass as `before` for the next page; null on the last."}
    )
