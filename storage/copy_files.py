"""A programme's uploaded files copied into another file store, an S3 bucket that several
nodes share (`mentorspace copy-files --to s3://…`).

- What is copied is what the database refers to (every file and thumbnail row), nothing else:
  a blob no row refers to stays behind.  The database is only read (SQLite opened read-only,
  PostgreSQL through one connection that reads), never migrated or created.
- Each blob is streamed from the source through the target's `stage` (which hashes it) and
  put in place only when its digest and size are the ones its row gives; a source blob that
  is missing or damaged is reported, never copied.
- A second run copies only what is not there yet: the target's blobs are listed first (a
  LIST of a thousand keys at a time, no read of their bytes), and a blob there with its
  row's size is kept.  An interrupted run leaves whole blobs or temporary objects (removed
  by the store a day later), never a half-written blob under its name, so running it again
  finishes the job.  `read_back` also reads every blob already there and checks its digest
  (for blobs put there by other means), replacing one that differs.
- At the end the target is listed again: every blob the database refers to must be there
  with its size, or the copy fails.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .backup import NotADatabase, connect_existing
from .files import FileStore

WORKERS = 4  # blobs copied at once: S3's latency, not its bandwidth, limits one at a time
REFERENCES = (
    "SELECT sha256, size FROM files"
    " UNION SELECT thumb_sha256, thumb_size FROM files WHERE thumb_sha256 IS NOT NULL"
)
# bytes just copied (or, for a blob kept, 0): told after each blob
Progress = Callable[[int], None]


class CopyFilesRefused(Exception):
    """The copy cannot start as asked; nothing was written."""


class CopyFilesFailed(Exception):
    """Some blobs the database refers to are not in the target (what was copied stays:
    running the command again goes on from there)."""


@dataclass
class CopyFilesReport:
    referenced: int = 0  # blobs the database refers to
    copied: int = 0
    copied_size: int = 0
    kept: int = 0  # there already, whole
    replaced: int = 0  # there, but not with the bytes the row says: copied again
    read_back: bool = False
    bad_sources: list[str] = field(default_factory=list)  # missing or damaged in the source


async def load_references(data_dir: Path, database_url: str, database_file: str) -> dict[str, int]:
    """sha256 -> size of every blob a row of the programme's database refers to."""
    if not database_url:
        try:
            source = connect_existing(data_dir / database_file, read_only=True)
        except NotADatabase as error:
            raise CopyFilesRefused(f"{error} (see --data-dir).") from None
        try:
            rows = source.execute(REFERENCES).fetchall()
        except sqlite3.Error as error:
            raise CopyFilesRefused(f"that database holds no programme ({error}).") from None
        finally:
            source.close()
        return {sha: size for sha, size in rows}
    import asyncpg  # the `postgres` extra

    try:
        conn = await asyncpg.connect(database_url)
    except (OSError, asyncpg.PostgresError) as error:
        raise CopyFilesRefused(f"cannot connect to the database: {error}") from None
    try:
        if await conn.fetchval("SELECT to_regclass('files')") is None:
            raise CopyFilesRefused("that database holds no programme (it has no files table).")
        return {row[0]: row[1] for row in await conn.fetch(REFERENCES)}
    finally:
        await conn.close()


async def copy_files(
    source: FileStore,
    target: FileStore,
    wanted: dict[str, int],
    *,
    read_back: bool = False,
    progress: Progress | None = None,
    workers: int = WORKERS,
) -> CopyFilesReport:
    """Copy the blobs `wanted` (sha256 -> size) that `target` lacks from `source` (both
    started).  Raises FileStoreUnavailable when either cannot be reached (what was copied
    stays), CopyFilesFailed when blobs are missing at the end."""
    report = CopyFilesReport(referenced=len(wanted), read_back=read_back)
    present = {blob.sha256: blob.size async for blob in target.list_blobs()}
    todo: list[tuple[str, int]] = []
    for sha, size in sorted(wanted.items()):
        if present.get(sha) != size:
            todo.append((sha, size))
        elif read_back and await _digest(target, sha) != sha:
            todo.append((sha, size))
        else:
            report.kept += 1
            if progress is not None:
                progress(0)
    queue: Iterator[tuple[str, int]] = iter(todo)

    async def worker() -> None:
        for sha, size in queue:
            await _copy_one(source, target, sha, size, sha in present, report)
            if progress is not None:
                progress(size)

    await _run_all([worker() for _ in range(max(1, min(workers, len(todo))))])
    after = {blob.sha256: blob.size async for blob in target.list_blobs()}
    missing = [sha for sha, size in wanted.items() if after.get(sha) != size]
    if missing:
        raise CopyFilesFailed(
            f"{len(missing)} of the {len(wanted)} files the database refers to are not in the"
            f" target with their size (first: {sorted(missing)[0]})"
            + (
                f"; {len(report.bad_sources)} of them are missing or damaged in the source"
                if report.bad_sources
                else ""
            )
        )
    return report


async def _run_all(work: list[Coroutine[Any, Any, None]]) -> None:
    """Run them at once; when one fails, stop the others (none goes on writing after the
    command has returned) and raise its error."""
    tasks = [asyncio.create_task(one) for one in work]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        error = task.exception()
        if error is not None:
            raise error


async def _copy_one(
    source: FileStore, target: FileStore, sha: str, size: int, there: bool, report: CopyFilesReport
) -> None:
    try:
        staged = await target.stage(source.open(sha))
    except FileNotFoundError:
        report.bad_sources.append(sha)
        return
    if (staged.sha256, staged.size) != (sha, size):
        await target.discard(staged)
        report.bad_sources.append(sha)
        return
    if there:
        await target.delete(sha)  # not the bytes its name says: commit would keep it
        report.replaced += 1
    await target.commit(staged)
    report.copied += 1
    report.copied_size += size


async def _digest(files: FileStore, sha: str) -> str | None:
    digest = hashlib.sha256()
    try:
        async for chunk in files.open(sha):
            digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()
