"""The README documents every command-line command and every setting."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from mltrace.cli.main import cli
from mltrace.config import SETTINGS, Setting

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "mltrace") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
    return found


@pytest.mark.parametrize("command", _commands(cli))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert re.search(rf"`{re.escape(command)}( |`)", README), f"README.md does not document `{command}`"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_in_the_readme_with_its_default(setting: Setting) -> None:
    row = next((line for line in README.splitlines() if line.startswith(f"| `{setting.env}` |")), None)
    assert row is not None, f"README.md's configuration table lacks {setting.env}"
    assert (f"`{setting.default}`" if setting.default else "*(empty)*") in row


@pytest.mark.parametrize("name", ["ARCHITECTURE.md", "CHANGES.md", "docs/API.md"])
def test_the_readme_links_the_other_documents(name: str) -> None:
    assert f"]({name})" in README
    assert (ROOT / name).exists()


def test_the_docs_do_not_mention_local_paths() -> None:
    for name in ("README.md", "ARCHITECTURE.md", "CHANGES.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "/work/" not in text and "/tmp/" not in text, name
