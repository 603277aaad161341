"""Help with an example on every command, global options anywhere, errors as one line and an exit code."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

import mltrace
from mltrace.cli.main import cli
from mltrace.samples import DemoInfo
from tests.cli.conftest import Invoke, one_line_error, runner_for


def all_commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*path, name))
    return found


COMMANDS = all_commands()


def test_the_documented_commands_all_exist() -> None:
    expected = {
        "serve",
        "recent",
        "history",
        "inspect",
        "trace",
        "tag",
        "flag",
        "unflag",
        "review",
        "diff",
        "impact",
        "compare",
        "components",
        "tags",
        "notes",
        "set",
        "series",
        "rejected",
        "spool",
        "db",
        "track",
        "pull",
        "status",
        "export",
        "artifacts",
        "tokens",
        "audit",
        "runs",
    }
    assert set(cli.commands) == expected
    assert {("db", "upgrade"), ("db", "clean")} <= set(COMMANDS)
    assert {("artifacts", "get"), ("artifacts", "ls"), ("artifacts", "gc")} <= set(COMMANDS)
    assert {("tokens", "create"), ("tokens", "ls"), ("tokens", "revoke")} <= set(COMMANDS)


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=lambda c: " ".join(c) or "mltrace")
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"], prog_name="mltrace")
    assert result.exit_code == 0, result.output
    assert f"Usage: mltrace {' '.join(command)}".rstrip() in result.stdout
    example = re.search(r"Example:\n +(mltrace .+)\n", result.stdout)
    assert example, result.stdout
    assert all(word in example.group(1).split() for word in command)


def test_no_arguments_prints_the_help() -> None:
    result = CliRunner().invoke(cli, [], prog_name="mltrace")
    assert result.exit_code == 0
    assert "Commands:" in result.stdout and "trace" in result.stdout


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"], prog_name="mltrace")
    assert result.stdout == f"mltrace, version {mltrace.__version__}\n"


def test_db_works_before_or_after_the_subcommand(shown_demo: DemoInfo, show: Invoke) -> None:
    before = show("--db", shown_demo.db_uri, "recent", "-n", "5", db=False)
    after = show("recent", "-n", "5", "--db", shown_demo.db_uri, db=False)
    assert before.exit_code == after.exit_code == 0
    assert before.stdout == after.stdout and str(shown_demo.run_ids["predict"][-1]) in before.stdout
    nested = show("db", "--db", shown_demo.db_uri, "upgrade", db=False)
    assert nested.exit_code == 0, nested.output


def test_db_after_the_subcommand_wins(shown_demo: DemoInfo, show: Invoke, tmp_path: object) -> None:
    result = show("--db", "sqlite:////nonexistent-folder-xyz/none.db", "tags", "--db", shown_demo.db_uri, db=False)
    assert result.exit_code == 0, result.output
    assert "etl" in result.stdout


def test_db_and_server_together_are_refused(mltrace_cli: Invoke) -> None:
    result = mltrace_cli("recent", "--server", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "not both" in one_line_error(result)


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "clean", "--yes"], ["serve"]])
def test_commands_that_need_a_database_refuse_a_server(command: list[str], mltrace_cli: Invoke) -> None:
    result = mltrace_cli(*command, "--server", "http://127.0.0.1:9", db=False)
    assert result.exit_code == 2
    assert "pass --db URI" in one_line_error(result)


def test_an_unreachable_server_exits_1_with_one_line(mltrace_cli: Invoke) -> None:
    result = mltrace_cli("recent", "--server", "http://127.0.0.1:9", db=False)
    assert result.exit_code == 1
    assert one_line_error(result).startswith("Error: the server failed: cannot reach http://127.0.0.1:9")


@pytest.mark.parametrize(
    "args, message",
    [
        (["recent", "--bogus"], "No such option"),
        (["no-such-command"], "No such command"),
        (["inspect"], "Missing argument 'RUN_ID'"),
        (["recent", "--limit", "0"], "--limit"),
        (["history", "ingest", "--since", "last tuesday"], "not an ISO 8601 timestamp"),
        (["serve", "--port", "70000"], "--port"),
    ],
)
def test_usage_problems_exit_2_with_one_line(args: list[str], message: str, mltrace_cli: Invoke) -> None:
    result = mltrace_cli(*args)
    assert result.exit_code == 2
    assert message in one_line_error(result)


def test_a_database_uri_that_cannot_be_used_exits_2(mltrace_home: object) -> None:
    result = runner_for("nosuchdb://x/y")("recent")
    assert result.exit_code == 2
    assert "not a database URI" in one_line_error(result)


def test_an_unreachable_database_exits_1_with_one_line(mltrace_home: object) -> None:
    result = runner_for("postgresql://nobody@127.0.0.1:1/none")("recent")
    assert result.exit_code == 1
    assert one_line_error(result).startswith("Error: the database failed: ")
