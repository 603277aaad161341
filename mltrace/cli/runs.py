"""Commands about runs: `recent`, `runs` (filtered), `history`, `inspect`, `notes`."""

from __future__ import annotations

from datetime import datetime

import click

from mltrace.cli import shapes, text
from mltrace.cli.options import LIMIT, Timestamp, json_option, open_client, target_options
from mltrace.client import Client
from mltrace.entities import ComponentRun


@click.command()
@click.option("--limit", "-n", type=LIMIT, default=20, show_default=True, help="How many runs to show.")
@json_option
@target_options
@click.pass_context
def recent(ctx: click.Context, limit: int, as_json: bool) -> None:
    """The most recent runs of every component, newest first.

    \b
    Example:
      mltrace recent --limit 5
    """
    client = open_client(ctx)
    runs = client.recent(limit)
    if as_json:
        click.echo(shapes.dumps({"runs": [shapes.run_json(r) for r in runs]}))
    else:
        click.echo(text.runs_table(runs, _suspect_ids(client, runs)) if runs else "No runs logged yet.")


@click.command()
@click.option("--where", "-w", default="", help="A filter in MLflow's search syntax (see docs/API.md).")
@click.option("--order-by", "-o", default="", help="Keys with asc/desc, comma-separated [default: started desc].")
@click.option("--limit", "-n", type=LIMIT, default=20, show_default=True, help="How many runs to show.")
@json_option
@target_options
@click.pass_context
def runs(ctx: click.Context, where: str, order_by: str, limit: int, as_json: bool) -> None:
    """The runs a filter selects, newest first unless --order-by says otherwise.

    \b
    Example:
      mltrace runs --where "metrics.accuracy > 0.9 and params.model = 'resnet18'" \\
                   --order-by "metrics.accuracy desc" --limit 5
    """
    found = open_client(ctx).search_runs(where, order_by, limit)
    if as_json:
        click.echo(shapes.dumps({"runs": [shapes.run_json(r) for r in found]}))
    else:
        click.echo(text.runs_table(found) if found else "No runs match.")


@click.command()
@click.argument("component")
@click.option("--limit", "-n", type=LIMIT, default=10, show_default=True, help="How many runs to show.")
@click.option("--since", type=Timestamp(), help="Runs that started at or after this time (ISO 8601; naive is UTC).")
@click.option("--until", type=Timestamp(), help="Runs that started before this time (ISO 8601; naive is UTC).")
@json_option
@target_options
@click.pass_context
def history(
    ctx: click.Context, component: str, limit: int, since: datetime | None, until: datetime | None, as_json: bool
) -> None:
    """The runs of one component, newest first.

    \b
    Example:
      mltrace history train --limit 5 --since 2024-05-01
    """
    client = open_client(ctx)
    runs = client.history(component, limit, since, until)
    if as_json:
        click.echo(shapes.dumps({"component": component, "runs": [shapes.run_json(r) for r in runs]}))
    else:
        click.echo(
            text.runs_table(runs, _suspect_ids(client, runs)) if runs else f"No runs of '{component}' in that period."
        )


@click.command()
@click.argument("run_id", type=int)
@click.option("--code", is_flag=True, help="Also print the code snapshot.")
@json_option
@target_options
@click.pass_context
def inspect(ctx: click.Context, run_id: int, code: bool, as_json: bool) -> None:
    """Everything recorded about one run: times, inputs, outputs, staleness, tests, code.

    \b
    Example:
      mltrace inspect 42 --code
    """
    client = open_client(ctx)
    run = client.get_run(run_id)
    component = client.component(run.component_name)
    reused = {"reused_run_id": client.reused_runs([run_id]).get(run_id)} if run.status == "cached" else {}
    suspicion = client.suspicions([run_id]).get(run_id)
    marks = suspicion.run if suspicion else ()
    if as_json:
        data = {
            **shapes.run_json(run, with_code=True),
            "component_info": shapes.component_json(component),
            "suspect": [{"reason": m.reason, "source": m.source} for m in marks],
            **reused,
        }
        click.echo(shapes.dumps(data))
    else:
        card = text.run_card(run, component, with_code=code, reused_run_id=reused.get("reused_run_id"), suspect=marks)
        click.echo(card)


@click.command()
@click.argument("run_id", type=int)
@click.argument("notes")
@json_option
@target_options
@click.pass_context
def notes(ctx: click.Context, run_id: int, notes: str, as_json: bool) -> None:
    """Replaces the notes of a run (an empty string clears them).

    \b
    Example:
      mltrace notes 42 "Retrained after the schema change."
    """
    run = open_client(ctx).set_notes(run_id, notes)
    click.echo(shapes.dumps(shapes.run_json(run)) if as_json else f"Notes of run {run_id} saved.")


def _suspect_ids(client: Client, runs: list[ComponentRun]) -> set[int]:
    """The ids of the listed runs that have suspect marks."""
    return {run_id for run_id, marks in client.suspicions([r.id for r in runs if r.id]).items() if marks.run}
