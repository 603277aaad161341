"""`mltrace diff`: what differs between the upstream traces of two outputs, the likely cause first."""

from __future__ import annotations

import click

from mltrace.cli import shapes
from mltrace.cli.diff_text import diff_report
from mltrace.cli.options import json_option, open_client, target_options


@click.command()
@click.argument("good_output")
@click.argument("bad_output")
@json_option
@target_options
@click.pass_context
def diff(ctx: click.Context, good_output: str, bad_output: str, as_json: bool) -> None:
    """Compares the lineage of a good output (a) with a bad one (b), run by run, and lists what differs, the
    likeliest cause first: the most upstream difference (a raw batch, code, params...) before what it explains.

    \b
    Example:
      mltrace diff 3f2a9c1e-prediction 8b0d4e7a-prediction
    """
    result = open_client(ctx).diff(good_output, bad_output)
    click.echo(shapes.dumps(shapes.diff_json(result)) if as_json else diff_report(result))
