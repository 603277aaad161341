"""Commands about lineage and bad outputs: `trace`, `flag`, `unflag`, `review`."""

from __future__ import annotations

import click

from mltrace.cli import shapes, text
from mltrace.cli.options import LIMIT, json_option, open_client, target_options


@click.command()
@click.argument("output_id")
@click.option(
    "--direction",
    type=click.Choice(["upstream", "downstream"]),
    default="upstream",
    show_default=True,
    help="Upstream: what produced the output. Downstream: what was made from it.",
)
@click.option("--depth", type=LIMIT, help="How many runs deep to go (1: the producer, or the direct readers).")
@click.option(
    "--run",
    "run_id",
    type=click.IntRange(min=1),
    help="Trace upstream from this run instead of the latest one that wrote the output.",
)
@json_option
@target_options
@click.pass_context
def trace(
    ctx: click.Context, output_id: str, direction: str, depth: int | None, run_id: int | None, as_json: bool
) -> None:
    """The runs and inputs an output came from (or, downstream, what was made from it), as a tree.

    \b
    Example:
      mltrace trace data/clean/events.csv --direction downstream --depth 2
    """
    graph = open_client(ctx).trace(output_id, direction, depth, run_id)
    click.echo(shapes.dumps(shapes.trace_json(graph)) if as_json else text.trace_tree(graph))


@click.command()
@click.argument("output_id")
@click.option("--reason", help="Why the output is bad (shown by inspect, review and the console).")
@json_option
@target_options
@click.pass_context
def flag(ctx: click.Context, output_id: str, reason: str | None, as_json: bool) -> None:
    """Marks an output as bad, so that `review` looks for the runs behind it.

    \b
    Example:
      mltrace flag 3f2a9c1e-prediction --reason "customer reported a wrong score"
    """
    pointer = open_client(ctx).flag(output_id, reason)
    click.echo(shapes.dumps(shapes.pointer_json(pointer)) if as_json else f"Flagged '{output_id}'.")


@click.command()
@click.argument("output_id", required=False)
@click.option("--all", "everything", is_flag=True, help="Clear every flag.")
@json_option
@target_options
@click.pass_context
def unflag(ctx: click.Context, output_id: str | None, everything: bool, as_json: bool) -> None:
    """Clears the flag of an output (or of every output with --all).

    \b
    Example:
      mltrace unflag 3f2a9c1e-prediction
      mltrace unflag --all
    """
    if everything == (output_id is not None):
        raise click.UsageError("give either OUTPUT_ID or --all.")
    client = open_client(ctx)
    if everything:
        cleared = client.unflag_all()
        click.echo(shapes.dumps({"unflagged": cleared}) if as_json else f"Cleared {text.count(cleared, 'flag')}.")
        return
    pointer = client.unflag(str(output_id))
    click.echo(shapes.dumps(shapes.pointer_json(pointer)) if as_json else f"Unflagged '{output_id}'.")


@click.command()
@click.option("--limit", "-n", type=LIMIT, default=10, show_default=True, help="How many suspect runs to show.")
@json_option
@target_options
@click.pass_context
def review(ctx: click.Context, limit: int, as_json: bool) -> None:
    """The runs most likely to have caused the flagged outputs, most suspicious first.

    A run scores high when it is upstream of many flagged outputs and few unflagged ones
    (Ochiai); coverage is the share of flagged outputs it is upstream of. Each piece of
    evidence the run recorded (a failed test, a metric or param far from its component's
    recent runs) adds its Ochiai score once more; the lines below the table say which.

    \b
    Example:
      mltrace review --limit 5
    """
    result = open_client(ctx).review(limit)
    if as_json:
        click.echo(
            shapes.dumps(
                {
                    "flagged": list(result["flagged"]),
                    "runs": [
                        {
                            **shapes.run_json(run),
                            "count": count,
                            "coverage": coverage,
                            "score": score,
                            "evidence": [shapes.evidence_json(e) for e in evidence],
                        }
                        for run, count, coverage, score, evidence in result["runs"]
                    ],
                }
            )
        )
        return
    flagged = list(result["flagged"])
    if not flagged:
        click.echo("No outputs are flagged. Flag a bad one with: mltrace flag OUTPUT_ID --reason TEXT")
        return
    shown = text.safe_text(", ".join(flagged[:3])) + (f" (+{len(flagged) - 3} more)" if len(flagged) > 3 else "")
    rows = [
        (
            rank,
            f"{score:.2f}",
            f"{count}/{len(flagged)}",
            f"{coverage:.0%}",
            run.id,
            run.component_name,
            text.local_time(run.start_timestamp),
            text.status(run),
        )
        for rank, (run, count, coverage, score, _evidence) in enumerate(result["runs"], start=1)
    ]
    click.echo(f"{text.count(len(flagged), 'flagged output')}: {shown}\n")
    click.echo(
        text.table(
            ("RANK", "SCORE", "FLAGGED", "COVERAGE", "RUN", "COMPONENT", f"STARTED ({text.local_zone()})", "STATUS"),
            rows,
        )
    )
    reasons = [
        "\n".join(
            [f"{rank}. run {run.id} ({text.safe_text(run.component_name)})"]
            + [f"   {text.safe_text(e.message)}" for e in evidence]
        )
        for rank, (run, _count, _coverage, _score, evidence) in enumerate(result["runs"], start=1)
        if evidence
    ]
    if reasons:
        click.echo("\nEvidence that raised a score:\n" + "\n".join(reasons))
