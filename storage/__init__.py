"""Storage: every SQL statement, the migrations, and the engines behind one interface.

`open_store(data_dir)` returns a store whose methods read, and whose `write()` block gives a
transaction with the same methods plus the writes.  Rows come back as `records` dataclasses.
`Store` and `Tx` (interface.py) are those two contracts, whatever the engine; `Reads`, what
both offer, types a helper that only reads and is called with either.
"""

from __future__ import annotations

from pathlib import Path

from . import records
from .errors import IntegrityError
from .files import FileStore, LocalFileStore
from .interface import Reads, Store, Tx
from .sqlite import SQLiteStore, open_sqlite

DATABASE_FILE = "mentorspace.sqlite3"
FILES_DIR = "files"  # DATA_DIR/files: the file store


async def open_store(data_dir: Path) -> SQLiteStore:
    return await open_sqlite(Path(data_dir) / DATABASE_FILE)


async def open_file_store(data_dir: Path) -> LocalFileStore:
    files = LocalFileStore(Path(data_dir) / FILES_DIR)
    await files.start()
    return files


__all__ = [
    "DATABASE_FILE",
    "FILES_DIR",
    "FileStore",
    "IntegrityError",
    "LocalFileStore",
    "Reads",
    "SQLiteStore",
    "Store",
    "Tx",
    "open_file_store",
    "open_store",
    "records",
]
