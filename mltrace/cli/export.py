"""The `export` command: the runs a filter selects as a table in a file (or on stdout), or every run as
OpenLineage events; one writer per format (`WRITERS`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import IO

import click

from mltrace.cli.options import LIMIT, open_client, target_options
from mltrace.client import Client


def _text_writer(fmt: str) -> Callable[[Client, dict[str, object], str | None], None]:
    def write(client: Client, query: dict[str, object], path: str | None) -> None:
        chunks = client.export_text(fmt, **query)  # type: ignore[arg-type]
        first = next(chunks)  # the filter is checked, the database reached, before the file is created
        with _Output(path) as out:
            out.write(first)
            for chunk in chunks:
                out.write(chunk)

    return write


def _write_parquet(client: Client, query: dict[str, object], path: str | None) -> None:
    if path is None:
        raise click.UsageError("parquet is written to a file: give -o FILE.")
    from mltrace.errors import MissingExtraError

    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise MissingExtraError("parquet needs pyarrow: pip install 'mltrace[pandas]'") from None
    frame = client.to_df(**query)  # type: ignore[arg-type]
    for column in frame.columns:  # lists and mixed values: parquet wants one type per column
        if frame[column].dtype == "object" and column != "tags":
            frame[column] = frame[column].map(_as_text)
    frame.to_parquet(path, index=False)


def _as_text(value: object) -> object:
    return value if value is None or isinstance(value, str) else json.dumps(value, sort_keys=True)


def _write_openlineage(client: Client, query: dict[str, object], path: str | None) -> None:
    """NDJSON: one OpenLineage RunEvent a line, START then COMPLETE/FAIL for each run, oldest run first."""
    if any(query.values()):
        raise click.UsageError("--format openlineage writes every run: leave out --where, --order-by, --component, -n.")
    count = 0
    with _Output(path) as out:
        for event in client.export_openlineage():
            out.write(json.dumps(event, ensure_ascii=True, separators=(",", ":")) + "\n")
            count += 1
    if path is not None:
        click.echo(f"Wrote {count} events to {path}.", err=True)


WRITERS: dict[str, Callable[[Client, dict[str, object], str | None], None]] = {
    "csv": _text_writer("csv"),
    "json": _text_writer("json"),
    "parquet": _write_parquet,
    "openlineage": _write_openlineage,
}


class _Output:
    """The file at `path`, or stdout for None."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.file: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        self.file = sys.stdout if self.path is None else open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        return self.file

    def __exit__(self, *exc: object) -> None:
        if self.file is not None and self.path is not None:
            self.file.close()


@click.command()
@click.option("--format", "fmt", type=click.Choice(sorted(WRITERS)), default="csv", show_default=True)
@click.option("--where", "-w", default="", help="A filter in MLflow's search syntax (see docs/API.md).")
@click.option("--order-by", default="", help="Keys with asc/desc, comma-separated [default: started desc].")
@click.option("--component", "-c", default=None, help="Only the runs of this component.")
@click.option("--limit", "-n", type=LIMIT, default=None, help="At most this many runs.")
@click.option("--output", "-o", "path", default=None, help="The file to write [default: stdout].")
@target_options
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    where: str,
    order_by: str,
    component: str | None,
    limit: int | None,
    path: str | None,
) -> None:
    """The runs as a table, one row per run: attributes, tags, a column per param and metric, counts of inputs
    and outputs. CSV and JSON are streamed; parquet needs `pip install 'mltrace[pandas]'`. `openlineage` writes
    every run as NDJSON OpenLineage events (a START and a COMPLETE or FAIL per run) that any OpenLineage consumer,
    or `POST /api/v1/lineage/batch`, reads.

    \b
    Example:
      mltrace export --format parquet --where "metrics.accuracy > 0.9" -o runs.parquet
      mltrace export --format openlineage -o lineage.ndjson
    """
    query: dict[str, object] = {"where": where, "order_by": order_by, "component": component, "limit": limit}
    WRITERS[fmt](open_client(ctx), query, path)
