"""Commands about a run's values: `set` (late params and metrics) and `series` (its step series)."""

from __future__ import annotations

from typing import Any

import click

from mltrace.cli import shapes
from mltrace.cli.options import json_option, open_client, target_options
from mltrace.cli.text import safe_text


class KeyValue(click.ParamType):
    """`name=value`; the value a number (`0.91`, `3`, `nan`, `inf`), a boolean (`true`, `false`) or else a string
    (quoted, `'3'` or `"true"`, to keep a number or boolean as a string)."""

    name = "NAME=VALUE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, Any]:
        if isinstance(value, tuple):
            return value
        key, equals, text = str(value).partition("=")
        if not equals or not key:
            self.fail(f"{value!r} is not NAME=VALUE", param, ctx)
        return key, parse_value(text)


def parse_value(text: str) -> Any:
    """A value typed on the command line, as `KeyValue` reads it."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    return text


@click.command("set")
@click.argument("run_id", type=int)
@click.option("--param", "-p", "params", type=KeyValue(), multiple=True, help="A param to add or replace.")
@click.option("--metric", "-m", "metrics", type=KeyValue(), multiple=True, help="A metric to add or replace.")
@json_option
@target_options
@click.pass_context
def set_values(
    ctx: click.Context,
    run_id: int,
    params: tuple[tuple[str, Any], ...],
    metrics: tuple[tuple[str, Any], ...],
    as_json: bool,
) -> None:
    """Adds or replaces params and metrics of a stored run (a test accuracy known only later), both at once.

    Values are numbers, booleans (true/false) or strings; quote a value to keep it a string.

    \b
    Example:
      mltrace set 42 --metric test_accuracy=0.913 --param dataset=v2 --param "version='3'"
    """
    if not params and not metrics:
        raise click.UsageError("give at least one --param or --metric NAME=VALUE.")
    run = open_client(ctx).set_values(run_id, dict(params), dict(metrics))
    if as_json:
        click.echo(shapes.dumps(shapes.run_json(run)))
    else:
        names = ", ".join(safe_text(k) for k, _ in (*params, *metrics))
        click.echo(f"Run {run_id}: set {names}.")


@click.command()
@click.argument("run_id", type=int)
@click.option("--key", "-k", "keys", multiple=True, help="Only this metric's series (repeat for more).")
@json_option
@target_options
@click.pass_context
def series(ctx: click.Context, run_id: int, keys: tuple[str, ...], as_json: bool) -> None:
    """The step series a run logged (`log_metrics(..., step=N)`): each metric's last point and point count, or
    every point with --json.

    \b
    Example:
      mltrace series 42 --key loss --json
    """
    found = open_client(ctx).series(run_id, list(keys) or None)
    if as_json:
        click.echo(shapes.dumps(shapes.series_json(run_id, found)))
    elif not found:
        click.echo(f"Run {run_id} logged no step series{' under those keys' if keys else ''}.")
    else:
        for key, points in found.items():
            last = points[-1]
            click.echo(f"{safe_text(key)}: {len(points)} points, step {last.step}: {last.value:g}")
