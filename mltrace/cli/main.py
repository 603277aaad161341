"""The `mltrace` group: global options, the commands, and errors as one line and an exit code."""

from __future__ import annotations

import sys
from typing import Any

import click
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

import mltrace
from mltrace.cli import access, admin, artifacts, catalog, compare, diff, export, impact, lineage, runs, values
from mltrace.cli.options import target_options
from mltrace.cli.text import safe_text
from mltrace.delivery.http_sink import ServerError
from mltrace.errors import InvalidInputError, MltraceError, NotFoundError, StoreUnreachableError

USAGE, NOT_FOUND = 2, 1
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class MltraceGroup(click.Group):
    """A click group whose errors are one line on stderr and an exit code, never a traceback:
    2 for usage problems, 1 for unknown ids and everything else."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "Try 'mltrace --help'.")
            code = 0
        except click.UsageError as exc:
            hint = f" Try '{exc.ctx.command_path} --help'." if exc.ctx else ""
            code = _fail(f"{exc.format_message()}{hint}", USAGE)
        except click.exceptions.Abort:
            code = _fail("Aborted.", 1, prefix="")
        except click.ClickException as exc:
            code = _fail(exc.format_message(), exc.exit_code)
        except NotFoundError as exc:
            code = _fail(str(exc), NOT_FOUND)
        except InvalidInputError as exc:
            code = _fail(str(exc), USAGE)
        except ServerError as exc:
            code = _fail(f"the server failed: {exc}", 1)
        except StoreUnreachableError as exc:
            code = _fail(f"the database failed: {exc}", 1)
        except MltraceError as exc:
            code = _fail(str(exc), 1)
        except (ArgumentError, NoSuchModuleError) as exc:
            code = _fail(f"not a database URI mltrace can use: {exc}", USAGE)
        except DBAPIError as exc:
            code = _fail(f"the database failed: {exc.orig if exc.orig is not None else exc}", 1)
        except SQLAlchemyError as exc:
            code = _fail(f"the database failed: {exc}", 1)
        except KeyboardInterrupt:
            code = _fail("Interrupted.", 130, prefix="")
        except Exception as exc:  # a bug or an environment problem: still one line, no traceback
            code = _fail(f"{type(exc).__name__}: {exc}", 1)
        else:
            code = result if isinstance(result, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str, code: int, prefix: str = "Error: ") -> int:
    click.echo(prefix + safe_text(" ".join(message.split())), err=True)
    return code


@click.group("mltrace", cls=MltraceGroup, context_settings=CONTEXT)
@click.version_option(mltrace.__version__, prog_name="mltrace")
@target_options
def cli() -> None:
    """mltrace: which runs, inputs and code produced this output?

    Commands read the database given by --db, or ask the server given by --server (default:
    $MLTRACE_SERVER_URL, else $MLTRACE_DB_URI, else the embedded SQLite in ~/.mltrace); both
    may come before or after the command. Query commands take --json for machine-readable output.

    \b
    Example:
      mltrace --db sqlite:////tmp/demo.db trace 3f2a9c1e-prediction
    """


for command in (
    admin.serve,
    runs.recent,
    runs.runs,
    export.export,
    runs.history,
    runs.inspect,
    lineage.trace,
    catalog.tag,
    lineage.flag,
    lineage.unflag,
    lineage.review,
    diff.diff,
    impact.impact,
    compare.compare,
    catalog.components,
    catalog.tags,
    runs.notes,
    values.set_values,
    values.series,
    admin.rejected,
    admin.spool,
    admin.db,
    artifacts.track,
    artifacts.pull,
    artifacts.status,
    artifacts.artifacts,
    access.tokens,
    access.audit,
):
    cli.add_command(command)


def main() -> None:
    """The console script `mltrace`."""
    cli.main(prog_name="mltrace")
