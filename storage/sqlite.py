"""SQLite through aiosqlite: one write connection, a few read-only ones, numbered migrations.

Writes are *group-committed*: every `async with store.write() as tx:` block runs inside a
SAVEPOINT of one shared `BEGIN IMMEDIATE` transaction, and the transaction commits as soon as
no other writer is queued (or the batch is large).  A block returns only after the COMMIT that
made it durable, so an acknowledgement never runs ahead of the disk, while one fsync serves
every writer that arrived during the previous one.  A block that raises is rolled back to its
savepoint and leaves the rest of the batch alone.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from .errors import IntegrityError
from .queries import Queries

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
READ_CONNECTIONS = 3
MAX_BATCH = 256  # writers sharing one commit at most; bounds the latency of the first one


async def _connect(path: Path, *, read_only: bool) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute("PRAGMA busy_timeout = 10000")
    await conn.execute("PRAGMA foreign_keys = ON")
    if read_only:
        await conn.execute("PRAGMA query_only = ON")
    else:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = FULL")
    return conn


class Tx(Queries):
    """The queries of one write block, on the write connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.db = conn


class SQLiteStore(Queries):
    """Reads on a small pool of query-only connections; writes through `write()`."""

    def __init__(self, writer: aiosqlite.Connection, readers: list[aiosqlite.Connection]) -> None:
        self._writer = writer
        self._readers = readers
        self._next_reader = itertools.cycle(readers)
        self._lock = asyncio.Lock()
        self._queued = 0  # writers waiting for the lock
        self._batch: asyncio.Future[None] | None = None  # completes when the open batch commits
        self._batch_size = 0
        self._flusher: asyncio.Task[None] | None = None

    @property
    def db(self) -> aiosqlite.Connection:  # type: ignore[override]
        return next(self._next_reader)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        self._queued += 1
        try:
            await self._lock.acquire()
        except BaseException:
            # Cancelled while queued: the holder left the batch open for us to commit.
            self._queued -= 1
            if self._queued == 0 and self._batch is not None:
                self._flusher = asyncio.create_task(self._flush())
            raise
        self._queued -= 1
        failure: BaseException | None = None
        try:
            if self._batch is None:
                await self._writer.execute("BEGIN IMMEDIATE")
                self._batch = asyncio.get_running_loop().create_future()
                self._batch_size = 0
            batch = self._batch
            await self._writer.execute("SAVEPOINT block")
            try:
                yield Tx(self._writer)
            except sqlite3.IntegrityError as exc:
                failure = IntegrityError(str(exc))
                failure.__cause__ = exc
                await self._writer.execute("ROLLBACK TO block")
            except BaseException as exc:
                failure = exc
                await self._writer.execute("ROLLBACK TO block")
            await self._writer.execute("RELEASE block")
            self._batch_size += 1
            if self._queued == 0 or self._batch_size >= MAX_BATCH:
                await self._commit()
        except BaseException as exc:
            # The connection itself failed (disk full, I/O error): nobody in the batch was
            # acknowledged, so roll the whole batch back and tell every writer.
            if failure is None and self._batch is not None:
                await self._abort(exc)
            raise
        finally:
            self._lock.release()
        if not batch.done():
            await asyncio.shield(batch)
        batch.result()  # raises if the commit failed
        if failure is not None:
            raise failure

    async def _flush(self) -> None:
        async with self._lock:
            if self._batch is not None:
                await self._commit()

    async def _commit(self) -> None:
        batch, self._batch = self._batch, None
        assert batch is not None
        try:
            await self._writer.execute("COMMIT")
        except BaseException as exc:
            await self._writer.execute("ROLLBACK")
            batch.set_exception(exc)
            raise
        batch.set_result(None)

    async def _abort(self, exc: BaseException) -> None:
        batch, self._batch = self._batch, None
        if batch is not None and not batch.done():
            batch.set_exception(exc)
            batch.exception()  # mark retrieved: each writer re-raises its own copy
        if self._writer.in_transaction:
            await self._writer.execute("ROLLBACK")

    async def close(self) -> None:
        async with self._lock:
            for conn in [*self._readers, self._writer]:
                await conn.close()


async def migrate(conn: aiosqlite.Connection) -> list[str]:
    """Apply the numbered `.sql` files not yet recorded; return the names applied."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    rows = await conn.execute_fetchall("SELECT version FROM schema_migrations")
    done = {row[0] for row in rows}
    applied = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        if version in done:
            continue
        script = path.read_text(encoding="utf-8")
        try:
            # executescript commits anything pending first, then leaves our BEGIN open.
            await conn.executescript(f"BEGIN IMMEDIATE;\n{script}")
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                (version, path.name),
            )
            await conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        log.info("applied migration %s", path.name)
        applied.append(path.name)
    return applied


async def open_sqlite(path: Path) -> SQLiteStore:
    """Open (creating if needed) the database at `path`, migrate it, return the store."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = await _connect(path, read_only=False)
    try:
        await migrate(writer)
        readers = [await _connect(path, read_only=True) for _ in range(READ_CONNECTIONS)]
    except BaseException:
        await writer.close()
        raise
    return SQLiteStore(writer, readers)
