"""`mentorspace copy-data --to postgresql://…`: the programme of a data dir's SQLite database
copied whole into an empty PostgreSQL database (storage/copy_data.py), with a progress bar on
a terminal, then a report of what was checked and of what is not in the database (the
uploaded files)."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from tqdm import tqdm

import storage
from server.config import Config
from storage.backup import NotADatabase, list_blobs

if TYPE_CHECKING:
    from storage.copy_data import CopyReport

from .backup import size_of


def shown(url: str) -> str:
    """The URL without its password, to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def run_copy_data(config: Config, to_url: str) -> int:
    try:
        # asyncpg is the `postgres` extra: only this command needs it here.
        from storage.copy_data import CopyFailed, CopyRefused
    except ImportError as error:
        print(f"mentorspace: copy-data needs the postgres extra ({error}).", file=sys.stderr)
        return 1
    try:
        print(_copy_data(config, to_url))
    except (CopyRefused, NotADatabase, ValueError) as error:
        print(f"mentorspace: {error}", file=sys.stderr)
        return 1
    except CopyFailed as error:
        print(
            f"mentorspace: the copy failed and was rolled back; {shown(to_url)} holds none of it:"
            f" {error}",
            file=sys.stderr,
        )
        return 1
    return 0


def _copy_data(config: Config, to_url: str) -> str:
    from storage.copy_data import CopyRefused, copy_to_postgres

    if config.database_url:
        raise CopyRefused(
            "copy-data copies a programme kept in SQLite (in --data-dir) to PostgreSQL; this"
            " one is already on PostgreSQL (--database-url or MENTORSPACE_DATABASE_URL is set):"
            " use pg_dump and pg_restore to move it (docs/deploy.md)."
        )
    if not to_url:
        raise CopyRefused("give the target database: --to postgresql://user@host/database")
    storage.check_database_url(to_url)
    database = config.data_dir / storage.DATABASE_FILE
    if not database.is_file():
        raise CopyRefused(
            f"there is no Mentorspace database in {config.data_dir} (see --data-dir)."
        )
    bars: list[tqdm] = []  # made with the first batch: after the migrations' log lines

    def advance(table: str, rows: int, total: int) -> None:
        if not bars:
            bars.append(
                tqdm(total=total, unit="row", desc="Copying", disable=None, file=sys.stderr)
            )
        bars[0].set_postfix_str(table, refresh=False)
        bars[0].update(rows)

    try:
        report = asyncio.run(copy_to_postgres(database, to_url, progress=advance))
    finally:
        for bar in bars:
            bar.close()
    return _said(config, to_url, report)


def _said(config: Config, to_url: str, report: CopyReport) -> str:
    files = config.data_dir / storage.FILES_DIR
    blobs = list_blobs(files)
    size = sum(path.stat().st_size for path in blobs.values())
    lines = [
        f"Copied {sum(report.rows.values())} rows in {len(report.rows)} tables from"
        f" {config.data_dir / storage.DATABASE_FILE} to {shown(to_url)} (schema version"
        f" {report.schema_version}).",
        f"Checked: the rows of every table and the last seq of all {report.channels} channels"
        " are the same in both.",
        "The search index is PostgreSQL's own, built from the messages as they went in.",
        f"Uploaded files are not in the database: {len(blobs)} files ({size_of(size)}) stay in"
        f" {files}. Serve with --data-dir {config.data_dir} (or copy its files/ folder and"
        " its secret to the new data dir) and --database-url set to the new database; for"
        " several nodes, copy them to a shared bucket with `mentorspace copy-files --to"
        " s3://…` and serve with --files-url.",
        "Anything written to the SQLite database after the copy began is not in the copy:"
        " stop the server before copying (docs/deploy.md).",
    ]
    return "\n".join(lines)
