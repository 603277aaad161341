"""Commands over the artifact store: `track`, `pull`, `status` (files tracked by hash) and `artifacts get|ls|gc`."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import click

from mltrace.artifacts import tracked_files
from mltrace.artifacts.collect import collect
from mltrace.artifacts.digests import CHUNK, is_digest, short
from mltrace.cli import shapes, text
from mltrace.cli.options import LIMIT, database_uri, json_option, open_client, target_options
from mltrace.client import Client
from mltrace.config import Config
from mltrace.errors import ArtifactMissingError, CorruptArtifactError, InvalidInputError, MltraceError, NotFoundError


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def track(files: tuple[Path, ...]) -> None:
    """Stores files in the artifact store and writes FILE.mltrace beside each (its hash, size and time): commit
    that to git instead of the file, and `mltrace pull` brings the file back.

    \b
    Example:
      mltrace track data/train.parquet && git add data/train.parquet.mltrace
    """
    store = Client(Config.from_env().db_uri).artifact_store
    for path in files:
        tracked, written = tracked_files.track(store, path)
        how = "stored" if written else "already in the store"
        click.echo(f"{path}: {text.size(tracked.size)}, sha256 {short(tracked.digest)}… {how}; wrote {tracked.pointer}")


@click.command()
@click.argument("pointers", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def pull(pointers: tuple[Path, ...]) -> None:
    """Writes back the files that .mltrace files stand for, from the artifact store (all under this folder when
    none is given); a file that already holds its tracked bytes is left alone.

    \b
    Example:
      mltrace pull data/train.parquet.mltrace
    """
    store = Client(Config.from_env().db_uri).artifact_store
    failed = 0
    for tracked in _tracked(pointers):
        try:
            written = tracked_files.pull(store, tracked)
        except (ArtifactMissingError, CorruptArtifactError) as exc:
            click.echo(f"Error: {tracked.path}: {exc}", err=True)
            failed += 1
            continue
        click.echo(f"{tracked.path}: {'restored' if written else 'up to date'}")
    if failed:
        raise click.ClickException(f"{text.count(failed, 'file')} could not be restored (see above).")


@click.command()
@click.argument("pointers", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@json_option
def status(pointers: tuple[Path, ...], as_json: bool) -> None:
    """Says which tracked files changed (or are missing) since they were tracked (all under this folder when no
    .mltrace file is given).

    \b
    Example:
      mltrace status
    """
    states = [(tracked, tracked_files.state(tracked)) for tracked in _tracked(pointers)]
    if as_json:
        files = [{"file": str(t.path), "hash": t.digest, "size": t.size, "state": s} for t, s in states]
        click.echo(shapes.dumps({"files": files}))
        return
    changed = [(t, s) for t, s in states if s != "unchanged"]
    for tracked, state in changed:
        click.echo(f"{state}: {tracked.path}")
    if not changed:
        click.echo(f"{text.count(len(states), 'tracked file')}, none changed.")


@click.group()
@target_options
def artifacts() -> None:
    """The artifact store: get an artifact's bytes, list stored artifacts, delete what no run references.

    \b
    Example:
      mltrace artifacts ls --run 42
    """


@artifacts.command()
@click.argument("name_or_hash")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@target_options
@click.pass_context
def get(ctx: click.Context, name_or_hash: str, output: Path) -> None:
    """Writes an artifact's bytes (by hash, or the latest stored under a name) to a file, verified first.

    \b
    Example:
      mltrace artifacts get models/model.pkl -o model.pkl
    """
    client = open_client(ctx)
    digest, label = _resolve(client, name_or_hash)
    if client.server_url:
        size = _download(client.server_url, digest, label, output, client.config.store_timeout)
    else:
        size = client.artifact_store.get_to_path(digest, output, label=label)
    click.echo(f"Wrote {output} ({text.size(size)}, sha256 {short(digest)}…).")


@artifacts.command(name="ls")
@click.option("--run", "run_id", type=click.IntRange(min=1), help="Only the artifacts this run stored.")
@click.option("--name", help="Only the artifacts stored under this name.")
@click.option("--limit", "-n", type=LIMIT, default=100, show_default=True, help="How many to show.")
@json_option
@target_options
@click.pass_context
def ls(ctx: click.Context, run_id: int | None, name: str | None, limit: int, as_json: bool) -> None:
    """Stored artifacts, newest first: name, hash, size and the run that stored them.

    \b
    Example:
      mltrace artifacts ls --run 42
    """
    found = open_client(ctx).artifacts(run_id=run_id, name=name, limit=limit)
    if as_json:
        click.echo(shapes.dumps({"artifacts": [shapes.artifact_json(a) for a in found]}))
    elif not found:
        click.echo("No artifacts stored" + (f" by run {run_id}." if run_id else "."))
    else:
        rows = [(a.name, short(a.digest), text.size(a.size), a.run_id, a.component) for a in found]
        click.echo(text.table(("NAME", "HASH", "SIZE", "RUN", "COMPONENT"), rows))


@artifacts.command()
@click.argument("keep", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would be deleted, delete nothing.")
@click.option(
    "--grace-hours",
    type=click.FloatRange(min=0),
    default=24.0,
    show_default=True,
    help="Keep unreferenced blobs younger than this: a run that stored one may still be on its way.",
)
@target_options
@click.pass_context
def gc(ctx: click.Context, keep: tuple[Path, ...], dry_run: bool, grace_hours: float) -> None:
    """Deletes the blobs of the artifact store that no run references (as an input, an output, a stored output or a
    cached result; so nothing in a flagged output's trace) and no KEEP .mltrace file names.

    \b
    Example:
      mltrace artifacts gc --dry-run data/train.parquet.mltrace
    """
    client = Client(database_uri(ctx))
    client.require_database()
    kept = [tracked_files.read(pointer).digest for pointer in keep]
    result = collect(client.artifact_store, client.referenced_digests, kept, grace_hours * 3600, dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    for blob in result.deleted:
        click.echo(f"{'would delete' if dry_run else 'deleted'} {blob.digest} ({text.size(blob.size)})")
    click.echo(
        f"{verb} {text.count(len(result.deleted), 'blob')} ({text.size(result.deleted_bytes)}); kept "
        f"{result.kept_referenced} referenced and {result.kept_young} younger than {grace_hours:g} h."
    )


def _tracked(pointers: tuple[Path, ...]) -> list[tracked_files.TrackedFile]:
    found = [tracked_files.read(p) for p in (pointers or tuple(tracked_files.find(".")))]
    if not found and not pointers:
        raise InvalidInputError("no .mltrace files under this folder; `mltrace track FILE` makes one")
    return found


def _resolve(client: Client, name_or_hash: str) -> tuple[str, str | None]:
    """The digest (and name, when known) an argument names: a SHA-256 as it is, else the latest stored under it."""
    if is_digest(name_or_hash):
        return name_or_hash, None
    found = client.artifacts(name=name_or_hash, limit=1)
    if not found:
        raise NotFoundError(f"No artifact stored under the name {name_or_hash!r}.")
    return found[0].digest, found[0].name


def _download(server: str, digest: str, label: str | None, output: Path, timeout: float) -> int:
    """Streams an artifact from a server's `GET /api/v1/artifacts/{hash}` to `output`, verified, atomically."""
    url = f"{server}/api/v1/artifacts/{digest}" + (f"?{urllib.parse.urlencode({'name': label})}" if label else "")
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    sha, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            while block := response.read(CHUNK):
                sha.update(block)
                out.write(block)
                size += len(block)
        if sha.hexdigest() != digest:
            raise CorruptArtifactError(f"the server sent bytes that do not hash to {digest}; {output} was not written")
        os.replace(temporary, output)
    except urllib.error.HTTPError as exc:
        Path(temporary).unlink(missing_ok=True)
        if exc.code == 404:
            raise ArtifactMissingError(f"the server's artifact store does not hold sha256 {digest}") from None
        raise MltraceError(f"the server answered {exc.code} for sha256 {digest}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return size
