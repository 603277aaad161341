"""Fills a database with the demo pipeline (see mltrace/samples.py) and says what to try next.

python populate_db.py                      # the embedded SQLite default (~/.mltrace/mltrace.db)
python populate_db.py --db postgresql://postgres@127.0.0.1:5432/mltrace_demo --reset
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from mltrace.client import Client
from mltrace.config import Config
from mltrace.db.engine import make_engine
from mltrace.samples import build_demo


def main(argv: list[str] | None = None) -> int:
    config = Config.from_env()
    parser = argparse.ArgumentParser(description="Log the mltrace demo pipeline (a week of runs, one bad raw batch).")
    parser.add_argument(
        "--db",
        default=config.db_uri,
        metavar="URI",
        help="database URI (default: $MLTRACE_DB_URI, else the embedded SQLite in $MLTRACE_HOME)",
    )
    parser.add_argument("--reset", action="store_true", help="delete everything in the database first")
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
        if args.reset:
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

    db = "" if args.db == config.db_uri else f" --db {args.db}"
    runs = sum(len(ids) for ids in info.run_ids.values())
    print(
        f"Logged {runs} runs of 5 components into {args.db} and flagged {len(info.bad_prediction_ids)} bad "
        f"predictions.\n"
        f"One raw batch is bad; find it and follow it to the predictions:\n"
        f"  mltrace{db} review\n"
        f"  mltrace{db} trace {info.bad_prediction_ids[0]}\n"
        f"  mltrace{db} recent"
    )
    return 0


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
