"""Settings read from the environment: a value that cannot be used is an error naming the setting, never a
writer that silently stores nothing (a batch size of 0 left every run in memory)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mltrace.cli.main import cli
from mltrace.config import Config
from mltrace.errors import InvalidInputError

BAD = [
    ("MLTRACE_QUEUE_SIZE", "abc", "a whole number of at least 1"),
    ("MLTRACE_QUEUE_SIZE", "0", "a whole number of at least 1"),
    ("MLTRACE_BATCH_SIZE", "0", "a whole number of at least 1"),
    ("MLTRACE_BATCH_SIZE", "2.5", "a whole number of at least 1"),
    ("MLTRACE_FLUSH_INTERVAL", "-1", "a number of seconds of at least 0"),
    ("MLTRACE_FLUSH_INTERVAL", "nan", "a number of seconds of at least 0"),
    ("MLTRACE_EXIT_TIMEOUT", "soon", "a number of seconds of at least 0"),
    ("MLTRACE_RETRY_INTERVAL", "0", "a number of seconds above 0"),
    ("MLTRACE_STORE_TIMEOUT", "0", "a number of seconds above 0"),
    ("MLTRACE_SPOOL_MAX_MB", "-5", "a number of MB of at least 0"),
    ("MLTRACE_CODE_SNAPSHOT_MAX", "1e3", "a whole number of bytes of at least 0"),
    ("MLTRACE_STALENESS_DAYS", "-1", "a number of days of at least 0"),
    ("MLTRACE_MAX_BODY_BYTES", "0", "a whole number of bytes of at least 1"),
    ("MLTRACE_MAX_RUNS_PER_POST", "none", "a whole number of at least 1"),
    ("MLTRACE_MAX_SEARCH_CHARS", "-1", "a whole number of at least 1"),
    ("MLTRACE_AUTH_CACHE_SECONDS", "inf", "a number of seconds of at least 0"),
]


@pytest.mark.parametrize(("name", "value", "wanted"), BAD, ids=[f"{n}={v}" for n, v, _ in BAD])
def test_a_setting_that_cannot_be_used_is_an_error_naming_it(name: str, value: str, wanted: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        Config.from_env({name: value})
    assert str(raised.value) == f"{name} must be {wanted}, not {value!r}"


def test_the_smallest_usable_values_and_spaces_around_them_are_taken() -> None:
    config = Config.from_env(
        {
            "MLTRACE_QUEUE_SIZE": " 1 ",
            "MLTRACE_BATCH_SIZE": "1",
            "MLTRACE_FLUSH_INTERVAL": "0",
            "MLTRACE_EXIT_TIMEOUT": "0",
            "MLTRACE_RETRY_INTERVAL": "0.01",
            "MLTRACE_SPOOL_MAX_MB": "0",
            "MLTRACE_CODE_SNAPSHOT_MAX": "0",
        }
    )
    assert (config.queue_size, config.batch_size, config.flush_interval, config.exit_timeout) == (1, 1, 0.0, 0.0)
    assert (config.retry_interval, config.spool_max_mb, config.code_snapshot_max) == (0.01, 0.0, 0)


def test_the_defaults_are_usable_and_a_blank_value_means_the_default() -> None:
    config = Config.from_env({"MLTRACE_BATCH_SIZE": " ", "MLTRACE_QUEUE_SIZE": ""})
    assert config.batch_size == 5000 and config.queue_size == 10_000
    assert all(math.isfinite(v) for v in (config.flush_interval, config.store_timeout, config.staleness_days))


def test_the_command_line_says_which_setting_in_one_line_and_exits_2(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MLTRACE_HOME", str(tmp_path))
    monkeypatch.setenv("MLTRACE_BATCH_SIZE", "0")
    result = CliRunner().invoke(cli, ["recent"], prog_name="mltrace")
    assert result.exit_code == 2
    assert result.stderr == "Error: MLTRACE_BATCH_SIZE must be a whole number of at least 1, not '0'\n"


def test_decorating_a_step_with_a_bad_setting_names_the_setting(tmp_path: Path) -> None:
    code = "import mltrace\n@mltrace.register('step')\ndef step():\n    return 1\n"
    env = {"MLTRACE_HOME": str(tmp_path), "MLTRACE_QUEUE_SIZE": "ten", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "mltrace.errors.InvalidInputError: MLTRACE_QUEUE_SIZE must be a whole number of at least 1, not 'ten'"
    )
