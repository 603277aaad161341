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
_DB, _SERVER = "mltrace.db", "mltrace.server"


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None:  # given after the subcommand, it wins over the same option given before
            ctx.find_root().meta[key] = value

    return callback


def target_options(func: F) -> F:
    """`--db URI` and `--server URL`, accepted before or after the subcommand."""
    func = click.option(
        "--server",
        metavar="URL",
        expose_value=False,
        callback=_remember(_SERVER),
        is_eager=True,
        help="Query through an mltrace server (not supported yet: use --db).",
    )(func)
    func = click.option(
        "--db",
        metavar="URI",
        expose_value=False,
        callback=_remember(_DB),
        is_eager=True,
        help="Database URI (default: $MLTRACE_DB_URI, else the embedded SQLite in $MLTRACE_HOME).",
    )(func)
    return func


def json_option(func: F) -> F:
    """`--json`: machine-readable output with the field names of the HTTP API."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON (the HTTP API's field names).")(func)


def database_uri(ctx: click.Context) -> str:
    """The database the command works on: `--db`, else the environment's."""
    meta = ctx.find_root().meta
    if meta.get(_SERVER):
        raise click.UsageError("--server is not supported by this command yet; pass --db URI (the server's database).")
    return meta.get(_DB) or Config.from_env().db_uri


def open_client(ctx: click.Context) -> Client:
    """The client for a query: the database chosen by `--db` or the environment.

    Querying through a server is not supported yet, so a server address (`--server`, or
    `MLTRACE_SERVER_URL` without `--db`) is refused rather than silently ignored.
    """
    meta = ctx.find_root().meta
    config = Config.from_env()
    if meta.get(_SERVER):
        raise click.UsageError("querying through --server is not supported yet; pass --db URI (the server's database).")
    if not meta.get(_DB) and config.server_url:
        raise click.UsageError(
            "MLTRACE_SERVER_URL is set, but the command line cannot query through a server yet; pass --db URI."
        )
    return Client(meta.get(_DB) or config.db_uri, config=config)


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
