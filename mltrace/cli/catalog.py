"""Commands about components and tags: `components`, `tags`, `tag`."""

from __future__ import annotations

import click

from mltrace.cli import shapes, text
from mltrace.cli.options import json_option, open_client, target_options
from mltrace.errors import NotFoundError


@click.command()
@click.option("--tag", help="Only components with this tag.")
@click.option("--owner", help="Only components with this owner.")
@json_option
@target_options
@click.pass_context
def components(ctx: click.Context, tag: str | None, owner: str | None, as_json: bool) -> None:
    """Every component with its owner, tags and description.

    \b
    Example:
      mltrace components --owner data-eng
    """
    found = open_client(ctx).components(tag, owner)
    if as_json:
        click.echo(shapes.dumps({"components": [shapes.component_json(c) for c in found]}))
    else:
        click.echo(text.components_table(found) if found else "No components match.")


@click.command()
@json_option
@target_options
@click.pass_context
def tags(ctx: click.Context, as_json: bool) -> None:
    """Every tag in use, one per line.

    \b
    Example:
      mltrace tags
    """
    found = open_client(ctx).tags()
    if as_json:
        click.echo(shapes.dumps({"tags": found}))
    elif found:
        click.echo("\n".join(text.safe_text(t) for t in found))
    else:
        click.echo("No tags yet.")


@click.command()
@click.argument("tag")
@json_option
@target_options
@click.pass_context
def tag(ctx: click.Context, tag: str, as_json: bool) -> None:
    """The components with a tag, each with its most recent runs.

    \b
    Example:
      mltrace tag etl
    """
    client = open_client(ctx)
    found = client.components(tag=tag)
    if not found:
        raise NotFoundError(f"No component is tagged '{tag}'.")
    recent = {c.name: client.history(c.name, 5) for c in found}
    if as_json:
        click.echo(
            shapes.dumps(
                {
                    "tag": tag,
                    "components": [
                        {**shapes.component_json(c), "recent_runs": [shapes.run_json(r) for r in recent[c.name]]}
                        for c in found
                    ],
                }
            )
        )
        return
    blocks = [
        text.safe_text(f"{c.name} ({c.owner or 'no owner'}): {c.description or 'no description'}")
        + "\n"
        + (text.runs_table(recent[c.name]) if recent[c.name] else "No runs yet.")
        for c in found
    ]
    click.echo("\n\n".join(blocks))
