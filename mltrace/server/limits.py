"""How much one request may ask of the server: the configured limits, per app, as enforced and as documented."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask import current_app, request
from flask_smorest import Api
from werkzeug.exceptions import RequestEntityTooLarge

from mltrace.config import Config

EXTENSION = "mltrace.limits"


@dataclass(frozen=True)
class ServerLimits:
    """The limits of one app, from `MLTRACE_MAX_BODY_BYTES`, `MLTRACE_MAX_RUNS_PER_POST`,
    `MLTRACE_MAX_SEARCH_CHARS` and `MLTRACE_CODE_SNAPSHOT_MAX`."""

    max_body_bytes: int
    max_runs_per_post: int
    max_search_chars: int
    code_snapshot_max: int

    @classmethod
    def from_config(cls, config: Config) -> ServerLimits:
        return cls(config.max_body_bytes, config.max_runs_per_post, config.max_search_chars, config.code_snapshot_max)


def current_limits() -> ServerLimits:
    """The limits of the app handling the request."""
    return current_app.extensions[EXTENSION]


def limited(name: str) -> dict[str, str]:
    """Field metadata naming the limit (a `ServerLimits` attribute) that bounds the field's length or item count."""
    return {"limit": name}


def document_limits(api: Api, limits: ServerLimits) -> None:
    """Writes each field's configured limit into the app's OpenAPI document (`maxLength` or `maxItems`)."""

    def limit_properties(_converter: Any, field: ma.fields.Field, **_kwargs: Any) -> dict[str, int]:
        name = field.metadata.get("limit")
        if name is None:
            return {}
        keyword = "maxItems" if isinstance(field, ma.fields.List) else "maxLength"
        return {keyword: getattr(limits, name)}

    api.ma_plugin.converter.add_attribute_function(limit_properties)


def refuse_long_streamed_bodies() -> None:
    """413 for a body sent without Content-Length (chunked) that runs past `max_body_bytes`: Werkzeug stops
    reading such a body at the limit, and the app would see the first part of it as if it were all."""
    if request.content_length is not None or request.method not in ("POST", "PUT", "PATCH"):
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is not None and len(request.get_data(cache=True)) >= limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
