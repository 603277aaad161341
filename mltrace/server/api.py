"""The flask-smorest Api and Blueprint as mltrace's routes use them, the path converters, and `get_client()`."""

from __future__ import annotations

import re
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Request, current_app
from webargs.flaskparser import FlaskParser, abort
from werkzeug.routing import BaseConverter

from mltrace.client import Client
from mltrace.errors import run_not_found
from mltrace.server.errors import bad_request
from mltrace.server.schemas import MAX_ID, NO_NUL, ErrorSchema

EXTENSION = "mltrace"


class ArgumentParser(FlaskParser):
    """webargs' parser, answering invalid arguments with 400 (documented as such) rather than 422, and query
    arguments the operation does not document (`?limt=5`) as invalid rather than ignoring them."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        """The JSON body; a body nested too deeply for the JSON parser is invalid JSON, not a server error."""
        try:
            return super().load_json(req, schema)
        except RecursionError:
            abort(400, messages={"json": ["The JSON body is nested too deeply."]})


class Blueprint(flask_smorest.Blueprint):
    """A resource's routes: arguments parsed with `ArgumentParser`."""

    ARGUMENTS_PARSER = ArgumentParser()


class Api(flask_smorest.Api):
    """The API: documents mltrace's error shape; errors themselves are handled in `server.errors`."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass  # `register_error_handlers` covers every error of the app, not only HTTPException


class AnyPathConverter(BaseConverter):
    """Everything to the end of the rule, `/`s included, even a leading one (`/data/x.csv`)."""

    regex = ".+"
    part_isolating = False


class RunIdConverter(BaseConverter):
    """One path segment; `parse_run_id` turns it into an id (documented as an integer). Not `export`, the one
    static route beside the run ids (`GET /runs/export`): Werkzeug would otherwise hand `PATCH /runs/export` to
    `PATCH /runs/{run_id}` instead of answering 405."""

    regex = "(?!export$)[^/]+"


class ConsolePathConverter(BaseConverter):
    """Any path outside `/api`, for the console's client-side routes."""

    regex = r"(?!api(?:/|$)).+"
    part_isolating = False


CONVERTERS = {
    "anypath": (AnyPathConverter, {"type": "string", "minLength": 1, "pattern": NO_NUL}),
    "run_id": (RunIdConverter, {"type": "integer", "minimum": 1}),
}

_DIGITS = re.compile(r"[0-9]+")


def parse_run_id(value: str) -> int:
    """`"42"` → 42; not digits → 400 bad_request; an id too large to exist → 404 not_found."""
    if not _DIGITS.fullmatch(value):
        raise bad_request(f"Run id must be a positive integer, got {value!r}.", run_id=value)
    if len(value) > len(str(MAX_ID)) or not 0 < int(value) <= MAX_ID:
        raise run_not_found(value)
    return int(value)


def get_client() -> Client:
    """The app's Client (one per app)."""
    return current_app.extensions[EXTENSION]


def links(**named: dict[str, Any]) -> dict[str, Any]:
    """`@blp.doc(**links(name=link_to(...)))`: OpenAPI links from the 200 answer to other operations."""
    return {"responses": {200: {"links": named}}}


def link_to(method: str, path: str, **parameters: str) -> dict[str, Any]:
    """A link to the operation `method path`, its parameters taken from runtime expressions
    (`$response.body#/runs/0/id`, `$request.path.output_id`)."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method.lower()}", "parameters": parameters}
