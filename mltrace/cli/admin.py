"""Commands that run or maintain mltrace: `serve`, `db upgrade`, `db clean`, `rejected`, `spool`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.engine import make_url

from mltrace.cli import shapes, text
from mltrace.cli.options import database_uri, json_option, open_client, target_options
from mltrace.client import Client
from mltrace.config import Config
from mltrace.errors import MltraceError

EXPOSED_WARNING = (
    "mltrace: warning: {host} takes connections from other machines and anyone who reaches it may read, write and "
    "delete: set MLTRACE_AUTH=required and create tokens (mltrace tokens create NAME --scope ...)."
)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Gunicorn worker processes.")
@target_options
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int) -> None:
    """Serves the HTTP API and the console (under gunicorn) until interrupted.

    \b
    Example:
      mltrace serve --port 8080 --db postgresql://postgres@127.0.0.1:5432/mltrace
    """
    uri = database_uri(ctx)
    Client(uri).require_database()  # a mistyped SQLite path is an error, not a new empty database
    from mltrace.server.auth import is_loopback
    from mltrace.server.serve import serve as run_server  # Flask and gunicorn only when serving

    click.echo(f"mltrace: serving {shown(uri)} on http://{host}:{port}", err=True)
    if not Config.from_env().auth_required and not is_loopback(host):
        click.echo(EXPOSED_WARNING.format(host=host), err=True)
    run_server(host, port, workers, uri)


@click.group()
@target_options
def db() -> None:
    """Maintains the database: apply migrations, delete everything.

    \b
    Example:
      mltrace db upgrade --db postgresql://postgres@127.0.0.1:5432/mltrace
    """


@db.command()
@target_options
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Applies pending schema migrations (creating the tables in an empty database).

    \b
    Example:
      mltrace db upgrade --db sqlite:////srv/mltrace/mltrace.db
    """
    uri = database_uri(ctx)
    revision = Client(uri).upgrade()
    click.echo(f"{shown(uri)} is at the newest schema (revision {revision}).")


@db.command()
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@target_options
@click.pass_context
def clean(ctx: click.Context, yes: bool) -> None:
    """Deletes every run, component, output and flag, keeping an empty schema.

    \b
    Example:
      mltrace db clean --yes --db sqlite:////tmp/scratch.db
    """
    uri = database_uri(ctx)
    if not yes:
        click.confirm(f"Delete everything in {shown(uri)}?", abort=True)
    Client(uri).clean()
    click.echo(f"Deleted everything in {shown(uri)}.")


@click.command()
@click.option("--retry", is_flag=True, help="Send them to the store again (once the cause is fixed).")
@json_option
@target_options
@click.pass_context
def rejected(ctx: click.Context, retry: bool, as_json: bool) -> None:
    """Runs the store refused (they are kept beside the spool, never lost), with why.

    \b
    Example:
      mltrace rejected --db postgresql://postgres@127.0.0.1:5432/mltrace
    """
    client = open_client(ctx)
    if retry:
        click.echo(f"{client.retry_rejected()} refused runs will be sent again (mltrace spool --deliver: now).")
        return
    entries = client.rejected()
    if as_json:
        click.echo(shapes.dumps({"rejected": entries}))
        return
    if not entries:
        click.echo("No refused runs.")
        return
    rows = [[e["start"] or "-", e["component"] or "-", e["key"] or "-", e["reason"] or "-"] for e in entries]
    click.echo(text.table(["started", "component", "key", "why"], rows))


@click.command()
@click.option("--deliver", is_flag=True, help="Store the waiting runs now.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds --deliver may take.",
)
@target_options
@click.pass_context
def spool(ctx: click.Context, deliver: bool, timeout: float) -> None:
    """Runs waiting in the spool for the store: logged while it was unreachable, or left by processes that ended
    before storing them. Any process logging to the store delivers them; --deliver does it now.

    \b
    Example:
      mltrace spool --deliver --db postgresql://postgres@127.0.0.1:5432/mltrace
    """
    client = open_client(ctx)
    status = client.spool_status()  # each call reads the spool's files: once before, once after delivering
    if deliver and status["runs"]:
        with _writer_messages() as said:
            stored = client.deliver_spooled(timeout)
        status = client.spool_status()
        problem = client.store_problem
        for message in said:  # what else the writer said (unreadable lines kept aside, say)
            if problem is None or "store unreachable" not in message:  # that one is the error line's
                click.echo(message, err=True)
        if not stored:
            why = f"unreachable: {problem}" if problem else f"time ran out ({timeout:g} s)"
            raise MltraceError(f"the store cannot take them now ({why}); {_waiting(status, still=True)}")
        click.echo(f"Stored them: no runs wait in {status['directory']}.")
    else:
        click.echo(_waiting(status))
    if status["running"]:
        holds = "process holds runs it has" if status["running"] == 1 else "processes hold runs they have"
        click.echo(f"{status['running']} running {holds} not stored yet (each stores its own).")


def _waiting(status: dict[str, Any], still: bool = False) -> str:
    if not status["runs"]:
        return f"No runs wait in {status['directory']}."
    runs, files = text.count(status["runs"], "run"), text.count(status["files"], "file")
    return f"{runs} in {files} {'still ' if still else ''}wait in {status['directory']}."


@contextmanager
def _writer_messages() -> Iterator[list[str]]:
    """What the background writer logs meanwhile, kept for the command's one line instead of printed."""
    said: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("mltrace")
    propagate, logger.propagate = logger.propagate, False
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def shown(uri: str) -> str:
    """A database URI with its password hidden."""
    try:
        return make_url(uri).render_as_string(hide_password=True)
    except Exception:
        return uri
