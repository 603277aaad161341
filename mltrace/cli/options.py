"""Options shared by every command (`--db`, `--server`, `--json`) and the client they select."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

from mltrace.client import Client, parse_time
from mltrace.config import Config
from mltrace.errors import InvalidInputError

F = TypeVar("F", bound=Callable[..., Any])
_DB, _SERVER, _TOKEN = "mltrace.db", "mltrace.server", "mltrace.token"


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None:  # given after the subcommand, it wins over the same option given before
            ctx.find_root().meta[key] = value

    return callback


def target_options(func: F) -> F:
    """`--db URI`, `--server URL` and `--token TOKEN`, accepted before or after the subcommand."""
    func = click.option(
        "--token",
        metavar="TOKEN",
        expose_value=False,
        callback=_remember(_TOKEN),
        help="API token sent to the server (default: $MLTRACE_TOKEN).",
    )(func)
    func = click.option(
        "--server",
        metavar="URL",
        expose_value=False,
        callback=_remember(_SERVER),
        help="Ask an mltrace server (http://host:8080) instead of a database (default: $MLTRACE_SERVER_URL).",
    )(func)
    func = click.option(
        "--db",
        metavar="URI",
        expose_value=False,
        callback=_remember(_DB),
        help="Database URI (default: $MLTRACE_DB_URI, else the embedded SQLite in $MLTRACE_HOME).",
    )(func)
    return func


def json_option(func: F) -> F:
    """`--json`: machine-readable output with the field names of the HTTP API."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (the HTTP API's field names).")(func)


def database_uri(ctx: click.Context) -> str:
    """The database a command that needs one works on: `--db`, else the environment's."""
    meta = ctx.find_root().meta
    if meta.get(_SERVER):
        raise click.UsageError("this command works on a database, not through a server; pass --db URI.")
    return meta.get(_DB) or Config.from_env().db_uri


def open_client(ctx: click.Context) -> Client:
    """The client for a query: `--server`, else `--db`, else the environment (where a server
    address wins over a database URI, as it does for logging)."""
    meta = ctx.find_root().meta
    if meta.get(_SERVER) and meta.get(_DB):
        raise click.UsageError("give --db or --server, not both.")
    config = Config.from_env()
    if meta.get(_DB):
        return Client(meta[_DB], config=config)
    server = meta.get(_SERVER) or config.server_url
    if server and "://" not in server:
        server = f"http://{server}"
    return Client(config.db_uri, server_url=server or "", config=config, token=meta.get(_TOKEN))


class Timestamp(click.ParamType):
    """An ISO 8601 timestamp; naive means UTC."""

    name = "TIMESTAMP"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime | None:
        if isinstance(value, datetime):
            return value
        try:
            return parse_time(value)
        except InvalidInputError:
            self.fail(f"{value!r} is not an ISO 8601 timestamp (e.g. 2024-05-04T09:00:00+02:00).", param, ctx)


LIMIT = click.IntRange(min=1)
