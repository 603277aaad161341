"""The `impact` command: what an output or a run affected downstream, and flagging it all."""

from __future__ import annotations

from datetime import datetime

import click

from mltrace.cli import shapes, text
from mltrace.cli.options import LIMIT, Timestamp, json_option, open_client, target_options


@click.command()
@click.argument("target", metavar="ID")
@click.option("--since", type=Timestamp(), help="Only runs started at or after this time (ISO 8601; naive is UTC).")
@click.option("--until", type=Timestamp(), help="Only runs that started before this time (ISO 8601; naive is UTC).")
@click.option("--limit", "-n", type=LIMIT, default=10, show_default=True, help="How many endpoint outputs to list.")
@click.option("--flag", "flag_all", is_flag=True, help="Flag every affected endpoint output, in one transaction.")
@click.option("--reason", help="Why the outputs are bad (with --flag).")
@json_option
@target_options
@click.pass_context
def impact(
    ctx: click.Context,
    target: str,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    flag_all: bool,
    reason: str | None,
    as_json: bool,
) -> None:
    """The runs downstream of an output id (or of run:N, the run included), per component, and the endpoint
    outputs they wrote (predictions: of the endpoint type or read by no run), newest first; --flag flags them.

    \b
    Example:
      mltrace impact data/raw/2024-05-04.csv --since 2024-05-04
      mltrace impact run:42 --flag --reason "trained on a bad batch"
    """
    if reason is not None and not flag_all:
        raise click.UsageError("--reason goes with --flag.")
    client = open_client(ctx)
    if flag_all:
        flagged = client.flag_impact(target, reason, since, until)
        click.echo(shapes.dumps({"flagged": flagged}) if as_json else f"Flagged {text.count(flagged, 'output')}.")
        return
    found = client.impact(target, since, until, limit)
    click.echo(shapes.dumps(shapes.impact_json(found)) if as_json else text.impact_summary(target, found))
