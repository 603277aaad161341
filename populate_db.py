"""Fills a database with the demo pipeline (see mltrace/samples.py) and says what to try next.

python populate_db.py                      # $MLTRACE_DB_URI if set, else the demo's own SQLite: ~/.mltrace/demo.db
python populate_db.py --db postgresql://postgres@127.0.0.1:5432/mltrace_demo --reset

Never the embedded default database your own pipelines log to, unless named; `--reset` of a database that
holds runs of other components asks first (or needs `--yes`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db.engine import make_engine
from mltrace.samples import CLEAN, FEATURIZE_DESCRIPTION, FEATURIZE_OWNER, INGEST, PREDICT, TRAIN, build_demo

DEMO_COMPONENTS = {c.name: (c.owner, c.description) for c in (INGEST, CLEAN, TRAIN, PREDICT)} | {
    "featurize": (FEATURIZE_OWNER, FEATURIZE_DESCRIPTION)
}


def demo_db_uri(config: Config | None = None) -> str:
    """The demo's own SQLite database, `$MLTRACE_HOME/demo.db` (never the one pipelines log to by default)."""
    return f"sqlite:///{(config or Config.from_env()).home / 'demo.db'}"


def main(argv: list[str] | None = None) -> int:
    config = Config.from_env()
    explicit_db = os.environ.get("MLTRACE_DB_URI") or os.environ.get("DB_URI")
    parser = argparse.ArgumentParser(description="Log the mltrace demo pipeline (a week of runs, two planted faults).")
    parser.add_argument(
        "--db",
        default=explicit_db or demo_db_uri(config),
        metavar="URI",
        help="database URI (default: $MLTRACE_DB_URI, else the demo's own SQLite, $MLTRACE_HOME/demo.db)",
    )
    parser.add_argument("--reset", action="store_true", help="delete everything in the database first")
    parser.add_argument(
        "--yes", action="store_true", help="with --reset: delete runs that are not the demo's without asking"
    )
    parser.add_argument(
        "--if-empty", action="store_true", help="do nothing (and succeed) when the database already holds runs"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=config.home / "demo-data",
        metavar="DIR",
        help="where the pipeline's data files go (default: $MLTRACE_HOME/demo-data)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    parser.add_argument(
        "--create-db", action="store_true", help="create the PostgreSQL database named in --db if it does not exist"
    )
    args = parser.parse_args(argv)
    os.environ.pop("MLTRACE_SERVER_URL", None)  # this script fills the database named by --db, never a server

    client = Client(args.db, config=config)
    try:
        if args.create_db:
            create_database(args.db)
        client.upgrade()  # creates the demo's database when it does not exist yet
        if args.reset:
            others = foreign_components(client)
            if others and not args.yes and not confirm_reset(args.db, others):
                return 1
            client.clean()
        elif client.recent(1):
            if args.if_empty:
                print(f"{args.db} already holds runs; leaving it as it is.")
                return 0
            print(
                f"{args.db} already holds runs; run again with --reset to replace them with the demo.", file=sys.stderr
            )
            return 1
        info = build_demo(args.db, args.workdir, seed=args.seed)
    except Exception as exc:  # one line, no traceback: this is a command a newcomer runs first
        print(f"Error: could not fill {args.db}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1

    mltrace = mltrace_command() + ("" if args.db == config.db_uri else f" --db {args.db}")
    runs = sum(len(ids) for ids in info.run_ids.values())
    print(
        f"Logged {runs} runs of 5 components into {args.db} and flagged {len(info.bad_prediction_ids)} bad "
        f"predictions.\n"
        f"One raw batch is bad; find it and follow it to the predictions:\n"
        f"  {mltrace} review\n"
        f"  {mltrace} trace {info.bad_prediction_ids[0]}\n"
        f"  {mltrace} recent\n"
        f"One flagged prediction is not that batch's: compare it with the same machine's that morning, then flag\n"
        f"everything the change reached:\n"
        f"  {mltrace} diff {' '.join(info.hotfix_diff)}\n"
        f"  {mltrace} impact run:{info.hotfix_run_id} --flag --reason 'featurized with the hotfix'"
    )
    return 0


def foreign_components(client: Client) -> list[str]:
    """Components in the database that are not the demo's as it creates them: someone's own runs."""
    return sorted(c.name for c in client.components() if DEMO_COMPONENTS.get(c.name) != (c.owner, c.description))


def confirm_reset(db: str, others: list[str]) -> bool:
    """Asks before --reset deletes runs that are not the demo's; without a terminal, says to add --yes."""
    shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    holds = f"{db} holds runs that are not the demo's (components {shown})"
    if not sys.stdin.isatty():
        print(f"{holds}; add --yes to delete them with --reset.", file=sys.stderr)
        return False
    if input(f"{holds}. Delete everything in it? [y/N] ").strip().lower() in ("y", "yes"):
        return True
    print(f"Left {db} as it was.", file=sys.stderr)
    return False


def mltrace_command() -> str:
    """The command line of this environment's `mltrace` as it can be typed here: `mltrace` when the shell
    finds that one, else its path (`.venv/bin/mltrace` from the checkout)."""
    script = Path(sys.executable).parent / "mltrace"
    if not script.is_file() or shutil.which("mltrace") == str(script):
        return "mltrace"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def create_database(uri: str) -> None:
    """Creates the database of a PostgreSQL URI when missing (through the server's `postgres` database)."""
    url = make_url(uri)
    if url.get_backend_name() != "postgresql" or not url.database:
        return
    engine = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}).first() is None:
                conn.execute(text(f'CREATE DATABASE "{url.database.replace(chr(34), chr(34) * 2)}"'))
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
