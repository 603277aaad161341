"""Commands about who may do what, and who did: `tokens create|ls|revoke`, `audit`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import click

from mltrace.cli import shapes, text
from mltrace.cli.options import LIMIT, Timestamp, json_option, open_client, target_options
from mltrace.entities.access import SCOPES, parse_duration


class Duration(click.ParamType):
    """A lifetime: `90d`, `12h`, `2w`."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> timedelta:
        if isinstance(value, timedelta):
            return value
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.group()
@target_options
def tokens() -> None:
    """API tokens for a server run with MLTRACE_AUTH=required: create, list, revoke.

    Works on the database (--db) or through a server with an admin token (--server, --token).

    \b
    Example:
      mltrace tokens create ci-writer --scope write --expires 90d
    """


@tokens.command()
@click.argument("name")
@click.option(
    "--scope",
    type=click.Choice(SCOPES),
    required=True,
    help="read: queries; write: also logging, flags, notes; admin: also tokens.",
)
@click.option("--expires", type=Duration(), default=None, help="Lifetime (90d, 12h, 2w); default: never.")
@json_option
@target_options
@click.pass_context
def create(ctx: click.Context, name: str, scope: str, expires: timedelta | None, as_json: bool) -> None:
    """Creates a token and prints it, this once (only its hash is stored).

    \b
    Example:
      mltrace tokens create console-alice --scope read --expires 30d
    """
    token, secret = open_client(ctx).create_token(name, scope, expires)
    if as_json:
        click.echo(shapes.dumps({**shapes.token_json(token), "token": secret}))
        return
    click.echo(secret)
    until = f", expires {text.local_time(token.expires_at)}" if token.expires_at else ""
    click.echo(f"Token {name!r} ({scope}{until}): copy it now, it is not shown again.", err=True)


@tokens.command("ls")
@json_option
@target_options
@click.pass_context
def list_tokens(ctx: click.Context, as_json: bool) -> None:
    """Lists tokens (never their secrets), revoked and expired ones too.

    \b
    Example:
      mltrace tokens ls
    """
    found = open_client(ctx).tokens()
    if as_json:
        click.echo(shapes.dumps({"tokens": [shapes.token_json(t) for t in found]}))
        return
    if not found:
        click.echo("No tokens.")
        return
    rows = [
        [
            t.name,
            t.scope,
            text.local_time(t.created_at),
            text.local_time(t.expires_at) if t.expires_at else "never",
            text.local_time(t.revoked_at) if t.revoked_at else "-",
        ]
        for t in found
    ]
    click.echo(text.table(["name", "scope", "created", "expires", "revoked"], rows))


@tokens.command()
@click.argument("name")
@target_options
@click.pass_context
def revoke(ctx: click.Context, name: str) -> None:
    """Revokes a token (a server's workers refuse it within MLTRACE_AUTH_CACHE_SECONDS).

    \b
    Example:
      mltrace tokens revoke ci-writer
    """
    open_client(ctx).revoke_token(name)
    click.echo(f"Token {name!r} revoked.")


@click.command()
@click.option("--since", type=Timestamp(), default=None, help="Only changes at or after this time (ISO 8601).")
@click.option("--limit", "-n", type=LIMIT, default=50, show_default=True, help="How many changes to show.")
@click.option(
    "--run", "run_id", type=click.IntRange(min=1), default=None, help="Only the changes of this run and of its outputs."
)
@click.option("--output", "output_id", default=None, help="Only the changes of this output.")
@json_option
@target_options
@click.pass_context
def audit(
    ctx: click.Context, since: datetime | None, limit: int, run_id: int | None, output_id: str | None, as_json: bool
) -> None:
    """Who changed what and when: flags, notes, tags, clean, tokens; newest first.

    \b
    Example:
      mltrace audit --since 2026-05-01
    """
    entries = open_client(ctx).audit(limit, since=since, run_id=run_id, output_id=output_id)
    if as_json:
        click.echo(shapes.dumps({"entries": [shapes.audit_json(e) for e in entries]}))
        return
    if not entries:
        click.echo("No recorded changes.")
        return
    rows = [
        [text.local_time(e.at), e.actor, e.action, f"{e.target_kind} {e.target}", change_text(e.before, e.after)]
        for e in entries
    ]
    click.echo(text.table(["when", "who", "action", "target", "change"], rows))


def change_text(before: Any, after: Any) -> str:
    """A change on one line: `before → after`, each cut to 60 characters."""

    def short(value: Any) -> str:
        shown = "-" if value is None else value if isinstance(value, str) else json.dumps(value, default=str)
        shown = " ".join(shown.split()) or '""'
        return shown if len(shown) <= 60 else shown[:59] + "…"

    return f"{short(before)} → {short(after)}"
