"""The JSON shapes of the artifact store's side of the API: stored outputs, downloads and cache entries."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from mltrace.entities.artifact import SERIALIZER_NAMES
from mltrace.server.schemas import MAX_ID, QueryArgs, RunSchema, Text, UtcDateTime, _limit

HASH = validate.Regexp(r"^[0-9a-f]{64}$", error="Not a SHA-256 (64 lower-case hex digits).")


class ArtifactArgs(QueryArgs):
    run = fields.Integer(
        strict=False,
        validate=validate.Range(1, MAX_ID),
        metadata={"description": "Only the artifacts this run stored."},
    )
    name = Text(metadata={"description": "Only artifacts stored under this name (an output id)."})
    hash = fields.String(validate=HASH, metadata={"description": "Only artifacts with these bytes."})
    limit = _limit(100)


class DownloadArgs(QueryArgs):
    name = Text(
        validate=validate.Length(max=2000),
        metadata={"description": "The file name to suggest (`Content-Disposition`); default: the hash."},
    )


class CacheArgs(QueryArgs):
    key = fields.String(
        required=True, validate=HASH, metadata={"description": "Successful runs stored with this cache key."}
    )


class LatestCacheArgs(QueryArgs):
    component = Text(
        required=True,
        validate=validate.Length(1, 255),
        metadata={"description": "The newest run of this component that recorded a cache key."},
    )


class ArtifactSchema(ma.Schema):
    """An output whose bytes are in the artifact store; `GET /artifacts/{hash}` returns them."""

    name = fields.String(metadata={"description": "The output id it was stored under."})
    hash = fields.String(attribute="digest", metadata={"description": "SHA-256 of the bytes: the output's value hash."})
    size = fields.Integer(metadata={"description": "Bytes."})
    serializer = fields.String(validate=validate.OneOf(SERIALIZER_NAMES), metadata={"description": "`file`: as is."})
    run_id = fields.Integer(metadata={"description": "The run that stored it."})
    component = fields.String()
    stored_at = UtcDateTime(allow_none=True, metadata={"description": "When that run ended."})


class ArtifactListSchema(ma.Schema):
    artifacts = fields.List(fields.Nested(ArtifactSchema), metadata={"description": "Newest first."})


class ArtifactRefSchema(ma.Schema):
    name = fields.String()
    hash = fields.String(attribute="digest")
    size = fields.Integer()
    serializer = fields.String()


class CacheEntrySchema(ma.Schema):
    """A run of a step marked `cache=True`, as a cache lookup sees it."""

    run_id = fields.Integer()
    run_key = fields.String()
    status = fields.String()
    key = fields.String(attribute="entry.key")
    parts = fields.Dict(keys=fields.String(), values=fields.String(), attribute="entry.parts")
    result_hash = fields.String(allow_none=True, attribute="entry.result_digest")
    result_serializer = fields.String(allow_none=True, attribute="entry.result_serializer")
    reused_run_key = fields.String(allow_none=True, attribute="entry.reused_run_key")
    artifacts = fields.List(fields.Nested(ArtifactRefSchema))
    run = fields.Nested(RunSchema, metadata={"description": "The run, whole."})


class CacheListSchema(ma.Schema):
    entries = fields.List(fields.Nested(CacheEntrySchema), metadata={"description": "Newest first."})
