"""`mltrace compare`: runs side by side, what differs first."""

from __future__ import annotations

import click

from mltrace.cli import shapes
from mltrace.cli.compare_text import comparison_table
from mltrace.cli.options import json_option, open_client, target_options
from mltrace.entities.comparison import DEFAULT_POINTS, MAX_POINTS


@click.command()
@click.argument("run_ids", metavar="RUN_ID RUN_ID...", nargs=-1, type=int, required=True)
@click.option("--all", "show_all", is_flag=True, help="Also show the rows every run has the same value in.")
@click.option(
    "--points",
    type=click.IntRange(2, MAX_POINTS),
    default=DEFAULT_POINTS,
    show_default=True,
    help="With --json: at most this many points per step series.",
)
@json_option
@target_options
@click.pass_context
def compare(ctx: click.Context, run_ids: tuple[int, ...], show_all: bool, points: int, as_json: bool) -> None:
    """Compares 2 to 50 runs: params, metrics, component, status, code hash, git commit, duration and input
    versions, a column per run, the rows that differ first (marked *); --json adds the step series.

    \b
    Example:
      mltrace compare 12 15 18
      mltrace compare 12 15 --all
    """
    found = open_client(ctx).compare(list(run_ids), points)
    click.echo(shapes.dumps(shapes.comparison_json(found)) if as_json else comparison_table(found, show_all))
