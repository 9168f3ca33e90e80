"""`mentorspace backup DEST` and `mentorspace restore SRC`.

A backup is a new folder holding what a data dir needs to come back: the database (a
snapshot taken with SQLite's online backup API, consistent while the server serves and
writes), every blob of the file store, the secret when it is kept in the data dir, and
`mentorspace-backup.json` (when, which schema, how many rows and files).  It is written
under a temporary name and renamed when complete, so a folder named DEST is always whole.
The mails written as .eml files (DATA_DIR/outbox, when no SMTP server is set) are a copy of
what was sent and stay out; so do uploads in progress.

Restore checks the backup first (integrity, schema not newer than this version, files
present), refuses a data dir that holds anything unless --force, and with --force moves what
is there aside (never deletes it) after making sure no server has its database open.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import storage
from server.config import Config
from storage.backup import (
    DatabaseInUse,
    NotADatabase,
    check_not_in_use,
    copy_blobs,
    describe_database,
    known_schema_version,
    list_blobs,
    referenced_blobs,
    snapshot_database,
)

MANIFEST = "mentorspace-backup.json"
SECRET_FILE = "secret"  # Config.secret_bytes keeps it here
FORMAT = 1


class Refused(Exception):
    """What the operator asked cannot be done as asked; nothing was changed."""


_ON_POSTGRESQL = (
    "backup and restore copy the SQLite database; this programme is on PostgreSQL"
    " (MENTORSPACE_DATABASE_URL): use pg_dump and pg_restore (docs/deploy.md)."
)


_ON_S3 = (
    "backup and restore copy DATA_DIR/files; this programme keeps its files in"
    " MENTORSPACE_FILES_URL: back the bucket up with the store's own versioning or replication,"
    " and the database as docs/deploy.md says."
)


def _refusal(config: Config) -> str | None:
    """Why these commands cannot copy this programme, if they cannot."""
    if config.database_url:
        return _ON_POSTGRESQL
    if config.files_url:
        return _ON_S3
    return None


def run_backup(config: Config, dest: Path) -> int:
    if refusal := _refusal(config):
        print(f"mentorspace: {refusal}", file=sys.stderr)
        return 1
    try:
        print(_backup(config.data_dir, dest))
    except (Refused, NotADatabase, _Incomplete) as error:
        print(f"mentorspace: {error}", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as error:  # a full disk, a folder we may not write in
        print(f"mentorspace: the backup failed and was removed: {error}", file=sys.stderr)
        return 1
    return 0


def run_restore(config: Config, source: Path, *, force: bool) -> int:
    if refusal := _refusal(config):
        print(f"mentorspace: {refusal}", file=sys.stderr)
        return 1
    try:
        print(_restore(source, config.data_dir, force=force))
    except (Refused, NotADatabase, DatabaseInUse) as error:
        print(f"mentorspace: {error}", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as error:
        print(
            f"mentorspace: the restore failed; {config.data_dir} is as it was: {error}",
            file=sys.stderr,
        )
        return 1
    return 0


class _Incomplete(Exception):
    """The backup was written, but without some files the database refers to."""


def _backup(data_dir: Path, dest: Path) -> str:
    database = data_dir / storage.DATABASE_FILE
    if not database.is_file():
        raise Refused(f"there is no Mentorspace database in {data_dir} (see --data-dir).")
    if _holds_anything(dest):
        raise Refused(f"{dest} already exists and is not empty: a backup never overwrites one.")
    if dest.resolve().is_relative_to(data_dir.resolve()):
        raise Refused(f"{dest} is inside the data dir {data_dir}: back up to another place.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.partial-{secrets.token_hex(4)}")
    partial.mkdir(mode=0o700)
    try:
        files, target_files = data_dir / storage.FILES_DIR, partial / storage.FILES_DIR
        copy_blobs(files, target_files)  # the bulk, before the snapshot
        snapshot_database(database, partial / storage.DATABASE_FILE)
        copy_blobs(files, target_files)  # what was stored while the first pass ran
        summary = describe_database(partial / storage.DATABASE_FILE)
        blobs = list_blobs(target_files)
        missing = referenced_blobs(partial / storage.DATABASE_FILE) - blobs.keys()
        has_secret = _copy_secret(data_dir / SECRET_FILE, partial / SECRET_FILE)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "schema_version": summary.schema_version,
            "rows": summary.rows,
            "files": len(blobs),
            "file_bytes": sum(path.stat().st_size for path in blobs.values()),
            "secret": has_secret,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if dest.exists():
            dest.rmdir()  # an empty folder made for it
        os.rename(partial, dest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    said = (
        f"Backed up {data_dir} to {dest}: the database ({sum(summary.rows.values())} rows in"
        f" {len(summary.rows)} tables, schema version {summary.schema_version}) and"
        f" {len(blobs)} files ({size_of(manifest['file_bytes'])})"
    )
    said += (
        ", and the secret."
        if has_secret
        else (
            "; no secret file in the data dir (MENTORSPACE_SECRET is set?): keep it with the backup."
        )
    )
    if missing:
        raise _Incomplete(
            f"{said}\nBut {len(missing)} files the database refers to are missing from"
            f" {data_dir / storage.FILES_DIR} (deleted while the backup ran, or lost before):"
            " the backup has everything else. Run it again to get a complete one."
        )
    return said


def _restore(source: Path, data_dir: Path, *, force: bool) -> str:
    manifest = _read_manifest(source)
    summary = describe_database(source / storage.DATABASE_FILE)
    if summary.schema_version > known_schema_version():
        raise Refused(
            f"{source} was made by a newer Mentorspace (schema version"
            f" {summary.schema_version}; this one knows up to {known_schema_version()}):"
            " install that version or newer first."
        )
    if summary.rows != manifest.get("rows"):
        raise Refused(f"{source}: the database does not match {MANIFEST} (changed since?).")
    blobs = list_blobs(source / storage.FILES_DIR)
    missing = referenced_blobs(source / storage.DATABASE_FILE) - blobs.keys()
    if missing:
        raise Refused(f"{source} lacks {len(missing)} files its database refers to.")
    aside = None
    if _holds_anything(data_dir):
        if not force:
            raise Refused(
                f"{data_dir} is not empty: restore into a new data dir, or add --force to move"
                " what is there aside (to a folder next to it) and restore in its place."
            )
        database = data_dir / storage.DATABASE_FILE
        if database.exists():
            check_not_in_use(database)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = data_dir.with_name(f"{data_dir.name}.before-restore-{stamp}")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    partial = data_dir.with_name(f".{data_dir.name}.restoring-{secrets.token_hex(4)}")
    partial.mkdir(mode=0o700)
    try:
        shutil.copyfile(source / storage.DATABASE_FILE, partial / storage.DATABASE_FILE)
        with open(partial / storage.DATABASE_FILE, "rb") as copied:
            os.fsync(copied.fileno())
        copy_blobs(source / storage.FILES_DIR, partial / storage.FILES_DIR)
        has_secret = _copy_secret(source / SECRET_FILE, partial / SECRET_FILE)
        if describe_database(partial / storage.DATABASE_FILE).rows != summary.rows:
            raise Refused("the restored database differs from the backup (a disk problem?).")
        if aside is not None:
            os.rename(data_dir, aside)
        elif data_dir.exists():
            data_dir.rmdir()  # empty
        try:
            os.rename(partial, data_dir)
        except OSError:
            if aside is not None:
                os.rename(aside, data_dir)  # put back what was there
            raise
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    said = (
        f"Restored {source} (made {manifest.get('created_at', 'at an unknown time')}) into"
        f" {data_dir}: {sum(summary.rows.values())} rows in {len(summary.rows)} tables and"
        f" {len(blobs)} files"
    )
    said += ", and the secret." if has_secret else "; the backup has no secret file."
    if aside is not None:
        said += f"\nWhat was in {data_dir} before is now in {aside}."
    if summary.schema_version < known_schema_version():
        said += "\nThe backup's schema is older: `mentorspace migrate` (or serve) updates it."
    return said


def _read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise Refused(f"{source} is not a backup made by `mentorspace backup`.") from None
    except (OSError, ValueError) as error:
        raise Refused(f"{source}/{MANIFEST} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Refused(f"{source}/{MANIFEST} is not in a format this version reads.")
    return manifest


def _holds_anything(folder: Path) -> bool:
    if not folder.exists():
        return False
    if not folder.is_dir():
        return True
    return any(folder.iterdir())


def _copy_secret(source: Path, target: Path) -> bool:
    if not source.is_file():
        return False
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(source.read_bytes())
    return True


def size_of(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    value, unit = count / 1024, "KiB"
    for larger in ("MiB", "GiB"):
        if value < 1024:
            break
        value, unit = value / 1024, larger
    return f"{value:.1f} {unit}"
