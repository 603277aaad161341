"""Text from the database reaches the terminal as text: control sequences a note, a name or an output id carries
are printed as visible escapes, never sent to the terminal (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest

from mltrace.cli.text import safe_text
from mltrace.client import Client
from tests.cli.conftest import Invoke
from tests.factories import run

ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"  # set the window title, clear the screen, turn red
HOSTILE = [ESC, "\x9b31m", "\r", "\x7f", "\u202e", "\x08"]  # ESC, C1 CSI, carriage return, DEL, RTL override, BS


def _raw_controls(output: str) -> list[str]:
    return [c for c in output if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]


@pytest.fixture
def hostile(client: Client) -> int:
    """A run whose every stored text carries control sequences."""
    (run_id,) = client.ingest(
        [
            run(
                f"clean{ESC}",
                0,
                inputs=[f"data/raw{ESC}.csv"],
                outputs=[f"out{ESC}\x9b31m.csv"],
                notes=f"line one\u202eeno\nline two{ESC}\r",
                error=f"ValueError: bad\x08\x08{ESC}",
                status="failed",
                params={f"lr{ESC}": "\x9bfast"},
                code_snapshot=f"def f():\n\treturn 1  # {ESC}\n",
                component_owner=f"ana{ESC}",
                component_tags=[f"etl{ESC}"],
                component_description=f"desc\x7f{ESC}",
            )
        ]
    )
    client.flag(f"out{ESC}\x9b31m.csv", f"bad{ESC}")
    return run_id


@pytest.mark.parametrize(
    "args",
    [
        ["recent"],
        ["history", f"clean{ESC}"],
        ["inspect", "{run}", "--code"],
        ["trace", f"out{ESC}\x9b31m.csv"],
        ["trace", f"data/raw{ESC}.csv", "--direction", "downstream"],
        ["components"],
        ["tags"],
        ["tag", f"etl{ESC}"],
        ["review"],
        ["recent", "--json"],
        ["inspect", "{run}", "--json"],
        ["review", "--json"],
    ],
    ids=lambda args: " ".join(a.encode("unicode_escape").decode() for a in args),
)
def test_stored_control_sequences_are_printed_as_escapes(mltrace_cli: Invoke, hostile: int, args: list[str]) -> None:
    result = mltrace_cli(*[a.replace("{run}", str(hostile)) for a in args])
    assert result.exit_code == 0, result.output
    assert _raw_controls(result.stdout) == [], result.stdout
    assert "\\x1b" in result.stdout or "\\u001b" in result.stdout, result.stdout


def test_json_output_still_decodes_to_the_stored_text(mltrace_cli: Invoke, hostile: int) -> None:
    shown = json.loads(mltrace_cli("inspect", str(hostile), "--json").stdout)
    assert shown["component"] == f"clean{ESC}"
    assert shown["outputs"][0]["name"] == f"out{ESC}\x9b31m.csv"
    assert shown["notes"] == f"line one\u202eeno\nline two{ESC}\r"


def test_the_code_snapshot_keeps_its_lines_and_tabs(mltrace_cli: Invoke, hostile: int) -> None:
    printed = mltrace_cli("inspect", str(hostile), "--code").stdout
    assert "def f():\n\treturn 1  # \\x1b]0;pwned\\x07\\x1b[2J\\x1b[31m\n" in printed


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text, ünïcödé ✓", "plain text, ünïcödé ✓"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("a\rb\nc\td", "a\\rb\\nc\\td"),
        ("\x9b1m\x7f", "\\x9b1m\\x7f"),
        ("abc\u202edef\u2066", "abc\\u202edef\\u2066"),
    ],
)
def test_safe_text_escapes_what_a_terminal_would_obey(text: str, shown: str) -> None:
    assert safe_text(text) == shown
    assert _raw_controls(safe_text(text)) == []


def test_safe_text_keeps_lines_and_tabs_when_asked() -> None:
    assert safe_text("a\n\tb\x1b[0m\r", multiline=True) == "a\n\tb\\x1b[0m\\r"
