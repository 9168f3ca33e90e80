"""Storage: every SQL statement, the migrations, and the engines behind one interface.

`open_store(data_dir, database_url)` returns a store whose methods read, and whose `write()`
block gives a transaction with the same methods plus the writes: SQLite in the data dir, or
PostgreSQL when a `postgresql://` URL is given.  Rows come back as `records` dataclasses.
`Store` and `Tx` (interface.py) are those two contracts, whatever the engine; `Reads`, what
both offer, types a helper that only reads and is called with either.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import records
from .errors import IntegrityError
from .files import FileStore, FileStoreUnavailable, LocalFileStore, parse_files_url
from .interface import Engine, Reads, Store, Tx
from .sqlite import SQLiteStore, open_sqlite

if TYPE_CHECKING:
    from .postgres import PostgresStore

DATABASE_FILE = "mentorspace.sqlite3"
FILES_DIR = "files"  # DATA_DIR/files: the file store


DATABASE_URL_SCHEMES = ("postgresql://", "postgres://")


def check_database_url(url: str) -> None:
    """Raise ValueError unless `url` is empty (SQLite) or names a PostgreSQL database."""
    if url and not url.startswith(DATABASE_URL_SCHEMES):
        raise ValueError(f"a database URL starts with postgresql://, not {url[:40]!r}")


async def open_store(data_dir: Path, database_url: str = "") -> SQLiteStore | PostgresStore:
    """The store: PostgreSQL at `database_url` if given, else SQLite in `data_dir`."""
    check_database_url(database_url)
    if database_url:
        # Imported here: asyncpg is the `postgres` extra, not needed to run on SQLite.
        from .postgres import open_postgres

        return await open_postgres(database_url)
    return await open_sqlite(Path(data_dir) / DATABASE_FILE)


def check_files_url(url: str) -> None:
    """Raise ValueError unless `url` is empty (the data dir) or names an S3 bucket."""
    if url:
        parse_files_url(url)


def file_store(data_dir: Path, files_url: str = "") -> FileStore:
    """The file store, not started: the S3-compatible one at `files_url` (s3://bucket/prefix)
    if given, else DATA_DIR/files."""
    if files_url:
        from .s3files import S3FileStore  # the `s3` extra: only needed for an s3:// URL

        return S3FileStore(files_url)
    return LocalFileStore(Path(data_dir) / FILES_DIR)


async def open_file_store(data_dir: Path, files_url: str = "") -> FileStore:
    """The file store, started (the caller closes it)."""
    files = file_store(data_dir, files_url)
    await files.start()
    return files


__all__ = [
    "DATABASE_FILE",
    "FILES_DIR",
    "Engine",
    "FileStore",
    "FileStoreUnavailable",
    "IntegrityError",
    "LocalFileStore",
    "Reads",
    "SQLiteStore",
    "Store",
    "Tx",
    "check_database_url",
    "check_files_url",
    "file_store",
    "open_file_store",
    "open_store",
    "records",
]
