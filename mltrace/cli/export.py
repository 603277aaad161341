"""The `export` command: every stored run written out in a format other tools read (`FORMATS`: format -> writer)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import IO

import click

from mltrace.cli.options import open_client, target_options
from mltrace.client import Client


def write_openlineage(client: Client, out: IO[str]) -> int:
    """NDJSON: one OpenLineage RunEvent a line, START then COMPLETE/FAIL for each run, oldest run first; returns
    how many events."""
    count = 0
    for event in client.export_openlineage():
        out.write(json.dumps(event, ensure_ascii=True, separators=(",", ":")) + "\n")
        count += 1
    return count


Writer = Callable[[Client, IO[str]], int]
FORMATS: dict[str, Writer] = {"openlineage": write_openlineage}


@click.command()
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), required=True, help="What to write.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="A file (default: stdout).")
@target_options
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None) -> None:
    """Writes every stored run in another format: `openlineage`, NDJSON OpenLineage events (a START and a
    COMPLETE or FAIL per run) that any OpenLineage consumer, or `POST /api/v1/lineage/batch`, reads.

    \b
    Example:
      mltrace export --format openlineage -o lineage.ndjson
    """
    client = open_client(ctx)
    if output is None:
        FORMATS[fmt](client, sys.stdout)
        return
    with open(output, "w", encoding="utf-8") as out:
        count = FORMATS[fmt](client, out)
    click.echo(f"Wrote {count} events to {output}.", err=True)
