"""`GET /artifacts` (stored outputs), `GET /artifacts/{hash}` (their bytes, streamed), `GET /cache` and
`GET /cache/latest` (cache entries)."""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from flask import Response, request
from werkzeug.wsgi import wrap_file

from mltrace.artifacts.digests import is_digest
from mltrace.errors import CorruptArtifactError
from mltrace.server.api import Blueprint, get_client
from mltrace.server.artifact_schemas import (
    ArtifactArgs,
    ArtifactListSchema,
    CacheArgs,
    CacheListSchema,
    DownloadArgs,
    LatestCacheArgs,
)
from mltrace.server.errors import ApiError, bad_request

blp = Blueprint("artifacts", __name__, url_prefix="/api/v1", description="Artifacts and cached steps.")


@blp.route("/artifacts", methods=["GET"])
@blp.arguments(ArtifactArgs, location="query")
@blp.response(200, ArtifactListSchema)
def list_artifacts(args: dict[str, Any]) -> dict[str, Any]:
    """Outputs whose bytes are in the artifact store, newest first: of one run, one name or one hash."""
    return {"artifacts": get_client().artifacts(args.get("run"), args.get("name"), args.get("hash"), args["limit"])}


HASH_PARAMETER = {
    "in": "path",
    "name": "hash",
    "description": "SHA-256 of the bytes: 64 lower-case hex digits (anything else is a 400).",
    "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
}


@blp.route("/artifacts/<hash>", methods=["GET"], parameters=[HASH_PARAMETER])
@blp.arguments(DownloadArgs, location="query")
@blp.response(200, content_type="application/octet-stream", description="The bytes (a range of them with `Range`).")
@blp.alt_response(206, content_type="application/octet-stream", description="The byte range asked for.")
@blp.alt_response(400, response="BAD_REQUEST", description="Not a SHA-256.")
@blp.alt_response(404, response="NOT_FOUND", description="The artifact store does not hold these bytes.")
@blp.alt_response(416, response="BAD_REQUEST", description="The range is outside the artifact.")
def download(args: dict[str, Any], hash: str) -> Response:  # noqa: A002 - the path says `hash`, as the API does
    """The bytes of an artifact, streamed with their `Content-Length`, verified against the hash on the way: the
    last chunk is sent only once the whole is verified, so a corrupt artifact never arrives complete. `Range`
    requests are answered (206) without that check."""
    digest = hash
    if not is_digest(digest):
        raise bad_request("An artifact is named by its SHA-256: 64 lower-case hex digits.", hash=digest)
    store = get_client().artifact_store
    label = args.get("name")
    size = store.size(digest)
    if size is None:
        raise ApiError(404, "not_found", f"The artifact store does not hold sha256 {digest}.")
    try:
        if request.range is None:
            response = Response(store.chunks(digest, label), mimetype="application/octet-stream")
            response.content_length = size
        else:
            source = store.open_unverified(digest, label)
            try:
                response = Response(wrap_file(request.environ, source), mimetype="application/octet-stream")
                response.content_length = size
                response.make_conditional(request, accept_ranges=True, complete_length=size)
            except BaseException:  # a range outside the artifact (416)
                source.close()
                raise
    except CorruptArtifactError as exc:
        raise ApiError(500, "internal", str(exc)) from None
    response.direct_passthrough = True
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"  # the bytes of a hash never change
    response.set_etag(digest)
    response.headers.set("Content-Disposition", "attachment", **_file_name(label, digest))
    return response


@blp.route("/cache", methods=["GET"])
@blp.arguments(CacheArgs, location="query")
@blp.response(200, CacheListSchema)
def cache_entries(args: dict[str, Any]) -> dict[str, Any]:
    """The successful runs stored with a cache key, newest first: what a pipeline logging through this server asks
    before running a step marked `cache=True`."""
    return {"entries": get_client().cache_hits(args["key"])}


@blp.route("/cache/latest", methods=["GET"])
@blp.arguments(LatestCacheArgs, location="query")
@blp.response(200, CacheListSchema)
def latest_cache_entry(args: dict[str, Any]) -> dict[str, Any]:
    """The newest successful or cached run of a component that recorded a cache key (none or one entry): what a
    cached step compares its key with, to say which part changed."""
    latest = get_client().latest_cache_entry(args["component"])
    return {"entries": [] if latest is None else [latest]}


def _file_name(label: str | None, digest: str) -> dict[str, str]:
    """`Content-Disposition` options: the last part of the name (ASCII, and UTF-8 when it is not)."""
    name = "".join(c for c in PurePosixPath(label or "").name if c.isprintable()) or digest  # no header breaks
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().replace('"', "") or digest
    if ascii_name == name:
        return {"filename": name}
    return {"filename": ascii_name, "filename*": f"UTF-8''{quote(name, safe='')}"}
