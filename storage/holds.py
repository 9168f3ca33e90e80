"""Holds on blobs: while one is held, no other holder of the same digest runs.  An upload adds
the row that refers to its blob inside a hold, and whoever deletes a blob checks inside a hold
that no row refers to it, so an upload of some bytes never loses its blob to the deletion of
the last other file with the same bytes.

The hold belongs to the database, which every node shares, not to the file store or to one
process: on PostgreSQL it is a session advisory lock per digest (`AdvisoryHolds`), taken on a
small pool of connections of its own, so a hold never waits for a connection that a write
inside it needs.  PostgreSQL lets go of it when the holder's connection ends, so a node that
dies holding a blob blocks nobody.  On SQLite it is the process's own (`ProcessHolds`), which
every PostgreSQL holder also takes first, so that waiters in one process queue in memory
rather than on connections.  (Several processes sharing one SQLite file on one machine each
keep their own: an upload on one racing, to the millisecond, the deletion on another of the
last file with the same bytes could lose that blob.  Several nodes means PostgreSQL.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from .files import check_sha

if TYPE_CHECKING:
    import asyncpg

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
