"""Every error the API answers, in one JSON shape: `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from mltrace.errors import (
    ConflictError,
    InvalidInputError,
    MissingDatabaseError,
    MltraceError,
    NotFoundError,
    RunsRefusedError,
    StoreUnreachableError,
)

log = logging.getLogger("mltrace.server")

ERROR_CODES = (
    "bad_request",
    "validation_error",
    "not_found",
    "method_not_allowed",
    "unauthorized",
    "forbidden",
    "conflict",
    "unavailable",
    "too_large",
    "internal",
)
_CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    414: "too_large",
    422: "validation_error",
    431: "too_large",
}


def code_for_status(status: int) -> str:
    """The error code of an HTTP status the server answers without a more precise one."""
    return _CODE_BY_STATUS.get(status, "internal" if status >= 500 else "bad_request")


def error_body(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The error shape."""
    return {"error": {"code": code, "message": message, "details": _json_keys(details or {})}}


class ApiError(Exception):
    """An error a view raises on purpose, answered as is."""

    def __init__(self, status: int, code: str, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details or {})


def bad_request(message: str, **details: Any) -> ApiError:
    """A 400 `bad_request` for input that cannot be used (a malformed id, say)."""
    return ApiError(400, "bad_request", message, details)


def error_response(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The JSON error answer."""
    response = jsonify(error_body(code, message, details))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def handle_http_exception(exc: HTTPException) -> Response:
    """Routing errors, `abort()`s and webargs' validation errors, as JSON."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if "messages" in data:  # raised by webargs while parsing arguments
        details = _flatten_locations(data["messages"])
        if isinstance(getattr(exc, "exc", None), ma.ValidationError):
            return error_response(400, "validation_error", describe(details), details, headers)
        return error_response(400, "bad_request", "Invalid JSON body.", details, headers)
    if status >= 500:
        log.error("HTTP %s on %s %s: %s", status, request.method, request.path, exc.description)
        return error_response(status, "internal", "Internal server error.")
    if isinstance(exc, RequestEntityTooLarge):
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = f"The request body is larger than the server takes ({limit} bytes): send less at a time."
        return error_response(413, "too_large", message, {"max_body_bytes": limit})
    if isinstance(exc, MethodNotAllowed):
        allowed = sorted(exc.valid_methods or [])
        headers["Allow"] = ", ".join(allowed)
        return error_response(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed on {request.path}.",
            {"allowed": allowed},
            headers,
        )
    if status == 404:
        return error_response(404, "not_found", f"No such endpoint: {request.method} {request.path}.")
    return error_response(status, code_for_status(status), exc.description or exc.name)


def handle_api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.details)


def handle_mltrace_error(exc: MltraceError) -> Response:
    """The client's NotFoundError and InvalidInputError as 404 and 400."""
    if isinstance(exc, NotFoundError):
        return error_response(404, "not_found", str(exc))
    if isinstance(exc, InvalidInputError):
        return error_response(400, "bad_request", str(exc))
    if isinstance(exc, ConflictError):
        return error_response(409, "conflict", str(exc))
    if isinstance(exc, RunsRefusedError):
        runs = {str(position): [reason] for position, reason in exc.reasons.items()}
        return error_response(400, "validation_error", str(exc), {"runs": runs} if runs else {})
    if isinstance(exc, MissingDatabaseError):
        log.error("%s", exc)
        return error_response(503, "unavailable", "The server's database does not exist.")
    if isinstance(exc, StoreUnreachableError):
        log.warning("database unreachable on %s %s: %s", request.method, request.path, exc)
        return error_response(503, "unavailable", "The database cannot be reached; try again later.")
    return handle_unexpected(exc)


def handle_unexpected(exc: Exception) -> Response:
    """Anything else: logged with its traceback, answered without it."""
    log.exception("Unhandled error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "internal", "Internal server error.")


def reject_nul_characters() -> None:
    """No id or argument may contain NUL (PostgreSQL cannot store it): 400 before any view runs."""
    values = [request.path, *request.args.keys(), *(v for _, vs in request.args.lists() for v in vs)]
    if any("\x00" in v for v in values):
        raise bad_request("Paths and query arguments must not contain NUL characters.")


def register_error_handlers(app: Flask) -> None:
    """Makes every 4xx/5xx of `app` answer JSON in the error shape."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(MltraceError, handle_mltrace_error)
    app.register_error_handler(Exception, handle_unexpected)
    app.before_request(reject_nul_characters)


def _flatten_locations(messages: Any) -> dict[str, Any]:
    """webargs' `{"query": {"limit": [...]}}` as `{"limit": [...]}` (fields rarely clash across locations)."""
    if not isinstance(messages, Mapping):
        return {"_schema": messages}
    flat: dict[str, Any] = {}
    for location, errors in messages.items():
        if isinstance(errors, Mapping):
            flat.update(errors)
        else:
            flat[str(location)] = errors
    return flat


def describe(details: Mapping[str, Any]) -> str:
    """A one-line message naming the first invalid field, e.g. `Invalid runs.3.start: Not a valid datetime.`"""
    path, message = _first_leaf(details)
    if not path or path == ["_schema"]:
        return f"Invalid request: {message}" if message else "Invalid request."
    return f"Invalid {'.'.join(p for p in path if p != '_schema')}: {message}"


def _first_leaf(errors: Any, path: list[str] | None = None) -> tuple[list[str], str]:
    path = path or []
    if isinstance(errors, Mapping) and errors:
        key = next(iter(errors))
        return _first_leaf(errors[key], [*path, str(key)])
    if isinstance(errors, list) and errors:
        first = errors[0]
        return (path, str(first)) if not isinstance(first, (Mapping, list)) else _first_leaf(first, path)
    return path, str(errors) if errors else ""


def _json_keys(value: Any) -> Any:
    """Marshmallow keys list errors by int index; JSON (and sorted dumping) wants strings."""
    if isinstance(value, Mapping):
        return {str(k): _json_keys(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_keys(v) for v in value]
    return value
