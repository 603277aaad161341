"""`create_app(settings=None)`: the Flask app serving the API under /api/v1 and the console at /."""

from __future__ import annotations

from typing import Any

from flask import Flask

import mltrace
from mltrace.client import Client
from mltrace.config import Config
from mltrace.server import auth, console
from mltrace.server.api import CONVERTERS, EXTENSION, Api, ConsolePathConverter
from mltrace.server.errors import register_error_handlers
from mltrace.server.limits import EXTENSION as LIMITS
from mltrace.server.limits import ServerLimits, document_limits, refuse_long_streamed_bodies
from mltrace.server.routes import BLUEPRINTS
from mltrace.server.security import protect


def create_app(settings: dict[str, Any] | None = None) -> Flask:
    """An app on the database of `settings["DB_URI"]` (default: the environment, see `mltrace.config`); tokens
    are required when `settings["MLTRACE_AUTH"]` (default: the environment's) is `required`."""
    app = Flask(__name__, static_folder=None)
    app.config.update(
        DB_URI=None,
        MLTRACE_STATIC_FOLDER=str(console.STATIC_FOLDER),
        API_TITLE="mltrace",
        API_VERSION=mltrace.__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {"description": "Lineage tracing for machine-learning pipelines."}},
    )
    config = Config.from_env()
    limits = ServerLimits.from_config(config)
    app.config["MAX_CONTENT_LENGTH"] = limits.max_body_bytes
    app.config["MLTRACE_AUTH"] = "required" if config.auth_required else "off"
    app.config.update(settings or {})
    auth_required = app.config["MLTRACE_AUTH"] == "required"
    client = Client(app.config["DB_URI"] or config.db_uri, server_url="", config=config)
    client.store  # noqa: B018 -- made now (no connection yet), not raced for by the first requests' threads
    app.extensions[EXTENSION] = client
    app.extensions[LIMITS] = limits

    app.url_map.merge_slashes = False  # output ids like `s3://bucket//x` keep their slashes
    app.url_map.converters["console_path"] = ConsolePathConverter
    api = Api(app)
    document_limits(api, limits)
    if auth_required:
        auth.document_security(api)
    for name, (converter, schema) in CONVERTERS.items():
        app.url_map.converters[name] = converter
        api.register_converter(converter, lambda _converter, schema=schema: dict(schema))
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(console.bp)
    register_error_handlers(app)
    protect(app, config.allowed_hosts)
    app.before_request(refuse_long_streamed_bodies)
    auth.install(app, client, auth_required, config.auth_cache_seconds)
    return app
