"""Every mltrace setting, declared once as data and read from the environment."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mltrace.errors import InvalidInputError


@dataclass(frozen=True)
class Setting:
    """One setting: environment variable, default and help text."""

    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "MLTRACE_DB_URI",
        "",
        "Database URI; empty means embedded SQLite at MLTRACE_HOME/mltrace.db. DB_URI is honoured too.",
    ),
    Setting("MLTRACE_HOME", "~/.mltrace", "Folder for the embedded database and the delivery spool."),
    Setting(
        "MLTRACE_SERVER_URL", "", "Server root (http://host:8080); when set, runs are logged and queried through it."
    ),
    Setting("MLTRACE_QUEUE_SIZE", "10000", "Runs held in memory before further runs go straight to the on-disk spool."),
    Setting("MLTRACE_BATCH_SIZE", "5000", "Largest batch the background writer stores at once."),
    Setting("MLTRACE_FLUSH_INTERVAL", "0.05", "Seconds the background writer waits to fill a batch."),
    Setting(
        "MLTRACE_EXIT_TIMEOUT", "5", "Seconds interpreter exit waits for queued runs before leaving them in the spool."
    ),
    Setting("MLTRACE_RETRY_INTERVAL", "5", "Seconds between delivery attempts while the store is unreachable."),
    Setting(
        "MLTRACE_STORE_TIMEOUT",
        "30",
        "Seconds any call to the store may wait (connecting, a write statement, an HTTP request, SQLite's lock) "
        "before it counts as unreachable; the runs are then kept and sent again.",
    ),
    Setting(
        "MLTRACE_SPOOL_MAX_MB",
        "1024",
        "Largest size of the spool of one store, in MB; past it, runs that cannot be delivered are dropped "
        "(counted and reported).",
    ),
    Setting(
        "MLTRACE_CODE_SNAPSHOT_MAX", "1048576", "Largest code snapshot stored, in bytes; longer code is cut and marked."
    ),
    Setting("MLTRACE_STALENESS_DAYS", "30", "Default staleness threshold in days."),
    Setting("MLTRACE_MAX_BODY_BYTES", "33554432", "Largest request body the server reads, in bytes (larger: 413)."),
    Setting("MLTRACE_MAX_RUNS_PER_POST", "5000", "Most runs one POST /api/v1/runs may carry (more: 413)."),
    Setting("MLTRACE_MAX_SEARCH_CHARS", "200", "Longest search text the server takes, in characters (longer: 400)."),
    Setting(
        "MLTRACE_ALLOWED_HOSTS",
        "",
        "Comma-separated Host names the server answers (.example.com: any subdomain); empty: any host.",
    ),
    Setting(
        "MLTRACE_ARTIFACT_URI",
        "",
        "Where artifacts are stored: a folder or any fsspec URL (s3://bucket/prefix, file:///mnt/shared/…); "
        "empty means MLTRACE_HOME/artifacts.",
    ),
    Setting(
        "MLTRACE_AUTH",
        "off",
        "`required`: the server answers only requests with a valid API token (`Authorization: Bearer …`), health "
        "and the console's files excepted; `off`: anyone who reaches it may read and write.",
    ),
    Setting(
        "MLTRACE_AUTH_CACHE_SECONDS",
        "10",
        "Seconds a server worker trusts a token it has checked; a token revoked elsewhere is refused within that "
        "time (at once by the worker that revoked it).",
    ),
    Setting(
        "MLTRACE_JOURNAL",
        "children",
        "Which processes also append each run to a journal file as it is logged, so that runs still in memory when "
        "the process is killed (SIGKILL, an unhandled SIGTERM, the OOM killer) are stored by the next process: "
        "`children` (multiprocessing children, which pools terminate on exit), `always`, or `off`. Where it is on, "
        "a decorated call costs about twice as much.",
    ),
    Setting("MLTRACE_TOKEN", "", "The API token the client, the CLI and the background writer send to a server."),
    Setting("MLTRACE_CACHE", "on", "`off` runs every step marked cache=True without looking for an earlier result."),
    Setting(
        "MLTRACE_OPENLINEAGE_URL",
        "",
        "An OpenLineage collector (Marquez, DataHub, another mltrace server); when set, each logged run is also "
        "sent there as OpenLineage events (needs `pip install 'mltrace[openlineage]'`).",
    ),
    Setting(
        "MLTRACE_OPENLINEAGE_API_KEY",
        "",
        "Sent to the OpenLineage collector as `Authorization: Bearer <key>` (the client's `auth: api_key`).",
    ),
)


def _default(name: str) -> str:
    return next(s.default for s in SETTINGS if s.env == name)


def _lookup(env: Mapping[str, str], name: str) -> str:
    return env.get(name, _default(name))


def _number(
    env: Mapping[str, str], name: str, unit: str = "", minimum: float = 0, above: bool = False, whole: bool = False
) -> float:
    """The setting `name` as a finite number of at least `minimum` (`above`: more than it; `whole`: an integer);
    blank means its default. InvalidInputError naming the setting otherwise: a batch size of 0 would leave every
    run in memory, a retry interval of 0 would hammer a store that is down."""
    raw = _lookup(env, name)
    text = raw.strip() or _default(name)
    try:
        value: float | None = int(text) if whole else float(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value < minimum or (above and value == minimum):
        kind = ("a whole number" if whole else "a number") + (f" of {unit}" if unit else "")
        bound = f"above {minimum:g}" if above else f"of at least {minimum:g}"
        raise InvalidInputError(f"{name} must be {kind} {bound}, not {raw!r}")
    return value


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """The setting `name`, one of `choices` (any case; blank means its default); InvalidInputError otherwise."""
    raw = _lookup(env, name)
    value = raw.strip().lower() or _default(name)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices[:-1]) + f" or {choices[-1]!r}"
        raise InvalidInputError(f"{name} must be {listed}, not {raw!r}")
    return value


JOURNAL_MODES = ("children", "always", "off")


def _whole(env: Mapping[str, str], name: str, unit: str = "", minimum: int = 1) -> int:
    return int(_number(env, name, unit, minimum, whole=True))


@dataclass(frozen=True)
class Config:
    """Resolved settings."""

    db_uri: str
    home: Path
    server_url: str
    queue_size: int
    batch_size: int
    flush_interval: float
    exit_timeout: float
    retry_interval: float
    store_timeout: float
    spool_max_mb: float
    code_snapshot_max: int
    staleness_days: float
    max_body_bytes: int
    max_runs_per_post: int
    max_search_chars: int
    allowed_hosts: tuple[str, ...]
    artifact_uri: str = ""
    cache: bool = True
    openlineage_url: str = ""
    openlineage_api_key: str = ""
    auth_required: bool = False
    auth_cache_seconds: float = 10.0
    token: str = ""
    journal: str = "children"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        """Reads every setting from `env` (the process environment by default)."""
        env = os.environ if env is None else env
        home = Path(_lookup(env, "MLTRACE_HOME")).expanduser()
        db_uri = _lookup(env, "MLTRACE_DB_URI") or env.get("DB_URI", "") or default_db_uri(home)
        return cls(
            db_uri=db_uri,
            home=home,
            server_url=_lookup(env, "MLTRACE_SERVER_URL").rstrip("/"),
            queue_size=_whole(env, "MLTRACE_QUEUE_SIZE"),
            batch_size=_whole(env, "MLTRACE_BATCH_SIZE"),
            flush_interval=_number(env, "MLTRACE_FLUSH_INTERVAL", "seconds"),
            exit_timeout=_number(env, "MLTRACE_EXIT_TIMEOUT", "seconds"),
            retry_interval=_number(env, "MLTRACE_RETRY_INTERVAL", "seconds", above=True),
            store_timeout=_number(env, "MLTRACE_STORE_TIMEOUT", "seconds", above=True),
            spool_max_mb=_number(env, "MLTRACE_SPOOL_MAX_MB", "MB"),
            code_snapshot_max=_whole(env, "MLTRACE_CODE_SNAPSHOT_MAX", "bytes", minimum=0),
            staleness_days=_number(env, "MLTRACE_STALENESS_DAYS", "days"),
            max_body_bytes=_whole(env, "MLTRACE_MAX_BODY_BYTES", "bytes"),
            max_runs_per_post=_whole(env, "MLTRACE_MAX_RUNS_PER_POST"),
            max_search_chars=_whole(env, "MLTRACE_MAX_SEARCH_CHARS"),
            allowed_hosts=tuple(h.strip() for h in _lookup(env, "MLTRACE_ALLOWED_HOSTS").split(",") if h.strip()),
            artifact_uri=_lookup(env, "MLTRACE_ARTIFACT_URI") or str(home / "artifacts"),
            cache=cache_enabled(env),
            openlineage_url=_lookup(env, "MLTRACE_OPENLINEAGE_URL").strip(),
            openlineage_api_key=_lookup(env, "MLTRACE_OPENLINEAGE_API_KEY"),
            auth_required=auth_required(env),
            auth_cache_seconds=_number(env, "MLTRACE_AUTH_CACHE_SECONDS", "seconds"),
            token=_lookup(env, "MLTRACE_TOKEN").strip(),
            journal=_choice(env, "MLTRACE_JOURNAL", JOURNAL_MODES),
        )


def default_db_uri(home: Path) -> str:
    """The embedded SQLite database inside `home`."""
    return f"sqlite:///{home / 'mltrace.db'}"


def cache_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Whether steps marked cache=True look for earlier results (MLTRACE_CACHE is not `off`); read at each call."""
    value = (os.environ if env is None else env).get("MLTRACE_CACHE", "on")
    return value.strip().lower() not in ("off", "0", "false", "no")


AUTH_MODES = ("off", "required")


def auth_required(env: Mapping[str, str]) -> bool:
    """Whether MLTRACE_AUTH is `required`; ValueError for a value that is neither `off` nor `required` (a typo
    must not leave a server open)."""
    value = _lookup(env, "MLTRACE_AUTH").strip().lower() or "off"
    if value not in AUTH_MODES:
        raise ValueError(f"MLTRACE_AUTH must be 'off' or 'required', got {value!r}")
    return value == "required"
