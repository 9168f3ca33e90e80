"""Copies of a SQLite database and of the file store, for `mentorspace backup` and `restore`.

`snapshot_database` uses SQLite's online backup API in one step: it reads the whole database
inside one read transaction, so the copy is the database as it was at one commit, while the
server goes on writing (WAL lets writers work past a reader).  The copy is turned into a
single self-contained file (rollback journal instead of WAL).

Blobs in the file store never change once in place (they are named by their sha256), so
copying them is a plain file copy; only which of them exist changes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .sqlite import BUSY_TIMEOUT_MS, MIGRATIONS_DIR

TEMP_FOLDER = "tmp"  # the file store's uploads in progress: never part of a copy


class NotADatabase(Exception):
    """The file is missing, is not a SQLite database, or fails its integrity check."""


class DatabaseInUse(Exception):
    """Another connection (a running server, a backup) has the database open."""


@dataclass(frozen=True)
class DatabaseSummary:
    schema_version: int  # the highest migration applied (0: none)
    rows: dict[str, int]  # table -> number of rows


def connect_existing(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection to a database that must already exist (sqlite3.connect would make one)."""
    if not path.is_file():
        raise NotADatabase(f"there is no database at {path}")
    try:
        uri = f"{path.resolve().as_uri()}?mode=rw"
        # Any one thread at a time may use it (the copy to PostgreSQL reads it off the loop).
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise NotADatabase(f"{path} is not a database SQLite can read: {error}") from None
    return conn


def known_schema_version() -> int:
    """The highest migration this version of the code has."""
    return max((int(p.name.split("_", 1)[0]) for p in MIGRATIONS_DIR.glob("*.sql")), default=0)


def check_not_in_use(path: Path) -> None:
    """Raise DatabaseInUse when any other connection has the database open.  Leaving WAL mode
    needs the database to itself, so that is the test (it also folds the WAL back into the
    file; the server turns WAL on again when it opens it)."""
    conn = connect_existing(path, read_only=False)
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:
        mode = None
    finally:
        conn.close()
    if mode != "delete":
        raise DatabaseInUse(
            f"{path} is open in another process (a running server?): stop it first."
        )


def snapshot_database(source: Path, target: Path) -> None:
    """Copy the database at `source` (which a server may be writing) into a new file."""
    if target.exists():
        raise FileExistsError(target)
    source_conn = connect_existing(source, read_only=True)
    try:
        target_conn = sqlite3.connect(target)
        try:
            source_conn.backup(target_conn)  # pages=-1: all in one step, one snapshot
            target_conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            target_conn.close()
    finally:
        source_conn.close()


def describe_database(path: Path) -> DatabaseSummary:
    """Check a database file whole (PRAGMA integrity_check) and count each table's rows."""
    conn = connect_existing(path, read_only=True)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise NotADatabase(f"{path} is damaged: {'; '.join(problems[:3])}")
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        rows = {}
        for name in names:
            # A table name cannot be a parameter; these come from sqlite_master itself.
            quoted = '"' + name.replace('"', '""') + '"'
            rows[name] = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
        version = 0
        if "schema_migrations" in rows:
            query = "SELECT coalesce(max(version), 0) FROM schema_migrations"
            version = conn.execute(query).fetchone()[0]
        return DatabaseSummary(schema_version=version, rows=rows)
    finally:
        conn.close()


def referenced_blobs(path: Path) -> set[str]:
    """The sha256 of every blob the database refers to (files and their thumbnails)."""
    conn = connect_existing(path, read_only=True)
    try:
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'files'"
        ).fetchone():
            return set()
        return {
            row[0]
            for row in conn.execute(
                "SELECT sha256 FROM files UNION"
                " SELECT thumb_sha256 FROM files WHERE thumb_sha256 IS NOT NULL"
            )
        }
    finally:
        conn.close()


def list_blobs(root: Path) -> dict[str, Path]:
    """sha256 -> path of every blob in a file store folder (DATA_DIR/files layout)."""
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for first in root.iterdir():
        if first.name == TEMP_FOLDER or not first.is_dir():
            continue
        for path in first.glob("*/*"):
            if path.is_file() and len(path.name) == 64:
                found[path.name] = path
    return found


def copy_blobs(source_root: Path, target_root: Path) -> tuple[int, int]:
    """Copy the blobs of `source_root` that `target_root` lacks; return (count, bytes) copied.
    A blob deleted while this runs is skipped (the caller checks what the database needs)."""
    present = list_blobs(target_root)
    count = size = 0
    for sha, path in list_blobs(source_root).items():
        if sha in present:
            continue
        target = target_root / path.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        try:
            shutil.copyfile(path, partial)
        except FileNotFoundError:
            continue
        with open(partial, "rb") as copied:
            os.fsync(copied.fileno())
        os.replace(partial, target)
        count += 1
        size += target.stat().st_size
    return count, size
