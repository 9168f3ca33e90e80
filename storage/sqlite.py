"""SQLite: one writer thread that owns the write connection, a few read-only aiosqlite
connections, numbered migrations.

A write is a *block*: `await store.write(block)`, where `block(tx)` is an async function that
awaits only the queries of `tx`.  The writer thread runs each block whole (its queries run
synchronously on the thread, so the coroutine finishes on its first step) inside a SAVEPOINT
of one `BEGIN IMMEDIATE` transaction shared by every block queued at that moment, then commits
once: group commit.  `write()` returns only after the COMMIT that made the block durable
(WAL, synchronous=FULL), so an acknowledgement is never ahead of the disk, while one fsync
serves every writer that queued during the previous one.  A block that raises is rolled back
to its savepoint and leaves the rest of the batch alone.  This is datasette's single write
thread; the event loop never waits on a lock held across its own turns.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import aiosqlite

from .errors import IntegrityError
from .holds import DiskHolds
from .interface import Block, CommitObserver, Engine, Tx, tell_observers
from .queries import Queries
from .queries.base import Connection, Params

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
KEYS_OFF = "-- foreign keys off while this runs"
READ_CONNECTIONS = 3
MAX_BATCH = 256  # blocks sharing one commit at most; bounds the latency of the first one
BUSY_TIMEOUT_MS = 10_000

T = TypeVar("T")


class _ThreadConnection:
    """The write connection as the query mixins see it: `execute_fetchall` is a coroutine
    that completes at once, because it runs on the writer thread itself."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params).fetchall()


class SQLiteTx(Queries):
    """The queries of one write block, on the writer thread's connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._db = _ThreadConnection(conn)

    @property
    def db(self) -> Connection:
        return self._db


def _run_to_end(step: Coroutine[Any, Any, T]) -> T:
    """Run a block's coroutine, which must finish without ever suspending."""
    try:
        step.send(None)
    except StopIteration as done:
        return done.value
    step.close()
    raise RuntimeError("A write block may only await the queries of its transaction.")


def _open_writer(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the numbered `.sql` files not yet recorded; return the names applied."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    applied = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        if version in done:
            continue
        script = path.read_text(encoding="utf-8")
        # A migration that rebuilds a table others refer to (SQLite's way to change a CHECK)
        # runs with foreign keys off, as SQLite's documented procedure says, or dropping the
        # old table would delete every row that refers to it; the keys are checked before
        # the commit instead.
        keys_off = script.startswith(KEYS_OFF)
        if keys_off:
            conn.execute("PRAGMA foreign_keys = OFF")
        try:
            # executescript commits anything pending first, then leaves our BEGIN open.
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}")
            if keys_off and conn.execute("PRAGMA foreign_key_check").fetchall():
                raise sqlite3.IntegrityError(f"{path.name} broke a foreign key")
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                (version, path.name),
            )
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            if keys_off:
                conn.execute("PRAGMA foreign_keys = ON")
        log.info("applied migration %s", path.name)
        applied.append(path.name)
    return applied


class _Job:
    __slots__ = ("block", "future", "loop", "outcome")

    def __init__(
        self, block: Block[Any], future: asyncio.Future[Any], loop: asyncio.AbstractEventLoop
    ):
        self.block = block
        self.future = future
        self.loop = loop
        self.outcome: tuple[bool, Any] = (False, None)

    def settle(self) -> None:
        self.loop.call_soon_threadsafe(self._settle)

    def _settle(self) -> None:
        if self.future.done():  # the caller was cancelled; the write happened all the same
            return
        failed, value = self.outcome
        if failed:
            self.future.set_exception(value)
        else:
            self.future.set_result(value)


class Writer:
    """The thread that owns the write connection and runs write blocks in batches."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="mentorspace-writer", daemon=True)
        self._started = threading.Event()
        self._startup_error: BaseException | None = None
        self.observers: list[CommitObserver] = []
        self._stopping = False

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._stopping

    def start(self) -> None:
        """Open the connection and migrate (on the thread); raise if that fails."""
        self._thread.start()
        self._started.wait()
        if self._startup_error is not None:
            raise self._startup_error

    async def run(self, block: Block[T]) -> T:
        if self._stopping:  # nobody would ever run it
            raise sqlite3.OperationalError("the database has been closed")
        loop = asyncio.get_running_loop()
        job = _Job(block, loop.create_future(), loop)
        self._jobs.put(job)
        return await job.future

    async def stop(self) -> None:
        self._stopping = True
        self._jobs.put(None)
        await asyncio.to_thread(self._thread.join)

    def _run(self) -> None:
        try:
            conn = _open_writer(self._path)
            migrate(conn)
        except BaseException as exc:
            self._startup_error = exc
            self._started.set()
            return
        self._started.set()
        try:
            while (job := self._jobs.get()) is not None:
                batch = [job]
                while len(batch) < MAX_BATCH:
                    try:
                        more = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        self._jobs.put(None)  # stop after this batch
                        break
                    batch.append(more)
                self._run_batch(conn, batch)
        finally:
            conn.close()

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> None:
        began = time.perf_counter()
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                conn.execute("SAVEPOINT block")
                try:
                    job.outcome = (False, _run_to_end(job.block(SQLiteTx(conn))))
                except sqlite3.IntegrityError as exc:
                    failure = IntegrityError(str(exc))
                    failure.__cause__ = exc
                    job.outcome = (True, failure)
                    conn.execute("ROLLBACK TO block")
                except Exception as exc:
                    job.outcome = (True, exc)
                    conn.execute("ROLLBACK TO block")
                conn.execute("RELEASE block")
            conn.execute("COMMIT")
        except Exception as exc:
            # The connection itself failed (disk full, I/O error, locked past the timeout):
            # nobody in the batch was acknowledged, so roll it all back and tell everyone.
            log.exception("a write batch of %d blocks failed", len(batch))
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for job in batch:
                job.outcome = (True, exc)
        for job in batch:
            job.settle()
        self._tell_observers(len(batch), time.perf_counter() - began)

    def _tell_observers(self, blocks: int, seconds: float) -> None:
        tell_observers(self.observers, blocks, seconds)


class SQLiteStore(Queries):
    """Reads on a small pool of query-only connections; writes through `write(block)`."""

    def __init__(self, writer: Writer, readers: list[aiosqlite.Connection], path: Path) -> None:
        self._writer = writer
        self._readers = readers
        self._next_reader = itertools.cycle(readers)
        self._holds = DiskHolds(path.with_name(path.name + ".locks"))

    @property
    def db(self) -> Connection:
        return next(self._next_reader)

    async def write(self, block: Block[T]) -> T:
        """Run `block(tx)` in the writer thread; return its result once it is committed."""
        return await self._writer.run(block)

    def hold_blobs(self, *shas: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Held in this process and in every other one on this SQLite file (storage/holds.py)."""
        return self._holds.hold(*shas)

    def observe_commits(self, observer: CommitObserver) -> None:
        """Call `observer(blocks, seconds)` after every write batch (see CommitObserver)."""
        self._writer.observers.append(observer)

    async def check_reachable(self) -> None:
        """Raise unless a read connection answers and the writer thread is running."""
        if not self._writer.alive:
            raise sqlite3.OperationalError("the writer thread has stopped")
        await self.db.execute_fetchall("SELECT 1", ())

    async def close(self) -> None:
        await self._writer.stop()
        for conn in self._readers:
            await conn.close()


async def _open_reader(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA query_only = ON")
    return conn


async def open_sqlite(path: Path) -> SQLiteStore:
    """Open (creating if needed) the database at `path`, migrate it, return the store."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = Writer(path)
    await asyncio.to_thread(writer.start)
    readers: list[aiosqlite.Connection] = []
    try:
        for _ in range(READ_CONNECTIONS):
            readers.append(await _open_reader(path))
    except BaseException:
        for conn in readers:
            await conn.close()
        await writer.stop()
        raise
    return SQLiteStore(writer, readers, path)


if TYPE_CHECKING:

    def _keeps_the_contracts(store: SQLiteStore, tx: SQLiteTx) -> tuple[Engine, Tx]:
        """mypy fails here when a query's signature and its line in `interface.py` differ."""
        return store, tx
