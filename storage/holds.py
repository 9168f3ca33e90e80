"""Holds on blobs: while one is held, no other holder of the same digest runs.  An upload adds
the row that refers to its blob inside a hold, and whoever deletes a blob checks inside a hold
that no row refers to it, so an upload of some bytes never loses its blob to the deletion of
the last other file with the same bytes.

The hold belongs to the database, which every node shares, not to the file store or to one
process: on PostgreSQL it is a session advisory lock per digest (`AdvisoryHolds`), taken on a
small pool of connections of its own, so a hold never waits for a connection that a write
inside it needs.  PostgreSQL lets go of it when the holder's connection ends, so a node that
dies holding a blob blocks nobody.  On SQLite (`DiskHolds`) it is the process's own
(`ProcessHolds`), which every PostgreSQL holder also takes first so that waiters in one process
queue in memory rather than on connections, then an flock on a lock file beside the database
per first two hex digits of the digest (`DATABASE.locks/ab`), which every process sharing that
SQLite file on one machine sees; the kernel lets go of it when a holder dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from .files import check_sha

if TYPE_CHECKING:
    import asyncpg

LOCK_RETRY_SECONDS = 0.005  # how often a holder looks again at a lock file another one holds
BLOB_LOCKS = 0x6D73  # the first key of every blob's advisory lock ("ms"); the second: its digest


class ProcessHolds:
    """One asyncio lock per digest, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, *shas: str) -> AsyncIterator[None]:
        ordered = sorted({check_sha(sha) for sha in shas})  # one order: no two wait on each other
        for sha in ordered:
            lock, users = self._locks.get(sha) or (asyncio.Lock(), 0)
            self._locks[sha] = (lock, users + 1)
        acquired: list[str] = []
        try:
            for sha in ordered:
                await self._locks[sha][0].acquire()
                acquired.append(sha)
            yield
        finally:
            for sha in acquired:
                self._locks[sha][0].release()
            for sha in ordered:
                lock, users = self._locks[sha]
                if users <= 1:
                    del self._locks[sha]
                else:
                    self._locks[sha] = (lock, users - 1)


class DiskHolds:
    """A process hold, then the lock file of each digest's bucket (in one order) in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._process = ProcessHolds()

    @contextlib.asynccontextmanager
    async def hold(self, *shas: str) -> AsyncIterator[None]:
        buckets = sorted({check_sha(sha)[:2] for sha in shas})
        async with self._process.hold(*shas):
            held: list[int] = []
            try:
                for bucket in buckets:
                    fd = await asyncio.to_thread(self._open, bucket)
                    held.append(fd)
                    # Polled: no worker thread waits on a lock another process may keep long.
                    while not await asyncio.to_thread(try_lock, fd):  # noqa: ASYNC110
                        await asyncio.sleep(LOCK_RETRY_SECONDS)
                yield
            finally:
                for fd in held:
                    os.close(fd)  # which lets go of its lock

    def _open(self, bucket: str) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        return os.open(self.folder / bucket, os.O_RDWR | os.O_CREAT, 0o600)


def try_lock(fd: int) -> bool:
    """Take the lock of an open lock file without waiting; False if another holds it (another
    process, or another holder here: each opens the file anew, so they exclude each other)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def advisory_key(sha256: str) -> int:
    """The digest's second lock key: its first 32 bits, as PostgreSQL's signed int4.  Two
    digests that share it only wait for each other for a moment."""
    return int.from_bytes(bytes.fromhex(check_sha(sha256)[:8]), "big", signed=True)


class AdvisoryHolds:
    """A process hold, then PostgreSQL advisory locks (in key order) on a connection of `pool`."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._process = ProcessHolds()

    @contextlib.asynccontextmanager
    async def hold(self, *shas: str) -> AsyncIterator[None]:
        keys = sorted({advisory_key(sha) for sha in shas})
        async with self._process.hold(*shas), self._pool.acquire() as conn:
            try:
                for key in keys:
                    await conn.execute("SELECT pg_advisory_lock($1, $2)", BLOB_LOCKS, key)
                yield
            finally:
                # When this fails the pool closes the connection, which lets go of its locks.
                with contextlib.suppress(Exception):
                    await conn.execute("SELECT pg_advisory_unlock_all()")
