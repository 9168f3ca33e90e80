"""PostgreSQL: an asyncpg pool, the same queries (translated by `dialect.py`), the same
numbered migrations.

A write is the same *block* as on SQLite: `await store.write(block)` runs `block(tx)` in one
transaction on one pooled connection and returns only after its COMMIT, so an acknowledgement
is never ahead of the database.  A block that raises is rolled back whole.  Several server
processes may share the database: a channel's next `seq` is taken by an UPDATE of the
channel's row (`ChannelQueries.next_seq`), which holds that row's lock until the commit, so
another writer of the same channel waits for it and seq order is commit order, with no gaps
and no duplicates.  Claims (task occurrences, reminders, mail, digests) are inserts with
ON CONFLICT DO NOTHING or conditional updates, which the row locks make exactly-once too.
A write that checks and then writes on what it found (a quota, "at most N", "at most one
open") first locks the row its rule is about (queries/locks.py), as SQLite's single writer
did for every write; tests/test_races.py races two writers on each.

Group commit, as on SQLite: each process has one writer task that runs the blocks queued at
that moment in one transaction, each in a SAVEPOINT of its own (a block that raises is rolled
back to it and leaves the others alone), then commits once.  A durable COMMIT waits for the
WAL's fsync, and every post in a channel waits for the one before it (the row lock of its
seq), so one commit per block made a busy channel as slow as the disk; now one fsync serves
every block that queued meanwhile.  `write()` still returns only after the COMMIT of its own
block.  A block that PostgreSQL picks as a deadlock's victim inside a batch (locks of two
batches on two nodes, taken in two orders) is rolled back to its savepoint and run again
alone, in a transaction of its own, after the batch: a block must change nothing but through
`tx`, which the SQLite writer requires too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg

from .dialect import COMPATIBILITY_FUNCTIONS, NothingToDo, to_postgres, to_postgres_ddl
from .errors import IntegrityError
from .holds import AdvisoryHolds
from .interface import Block, CommitObserver, Engine, Tx, tell_observers
from .queries import Queries
from .queries.base import Connection, Params

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VARIANTS_DIR = MIGRATIONS_DIR / "postgres"  # a migration's PostgreSQL text, where it differs
POOL_SIZE = 10
# Blocks sharing one commit at most: each that writes takes a subtransaction id, and a
# backend's cache of them holds 64 (past that, every reader's snapshot gets slower).
MAX_BATCH = 48
HOLDS_POOL_SIZE = 4  # connections that hold blobs (storage/holds.py), apart from the pool
# Taken for the length of a migration run, so that nodes starting together migrate once.
MIGRATION_LOCK = 0x6D656E746F72  # "mentor"

T = TypeVar("T")


def _number(text: str) -> int | float:
    """numeric (what sum() and avg() return) as SQLite gives it: an int when whole."""
    return int(text) if text.lstrip("-").isdigit() else float(text)


async def _set_up(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "numeric", encoder=str, decoder=_number, schema="pg_catalog", format="text"
    )


async def _reset(conn: asyncpg.Connection) -> None:
    """What a pooled connection is reset with when it goes back to the pool.  asyncpg's own
    reset is one more round trip after every query (unlocking advisory locks, closing cursors,
    UNLISTEN, RESET ALL), for state this pool never makes: its queries take no session locks
    (holds have a pool of their own), open no cursors, listen to nothing and SET nothing.  A
    transaction left open by a failure is rolled back."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


class _Translating:
    """A pooled connection (or the pool) as the query mixins see it."""

    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self._conn = conn

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        try:
            text, args = to_postgres(sql, params)
        except NothingToDo:
            return []
        try:
            return list(await self._conn.fetch(text, *args))
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(str(exc)) from exc
        except asyncpg.PostgresError as exc:
            exc.add_note(f"in: {text}")  # the statement, never its parameters
            raise


class PostgresTx(Queries):
    """The queries of one write block, on its transaction's connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._db = _Translating(conn)

    @property
    def db(self) -> Connection:
        return self._db


class _Job:
    __slots__ = ("block", "future")

    def __init__(self, block: Block[Any], future: asyncio.Future[Any]) -> None:
        self.block = block
        self.future = future

    def settle(self, failed: bool, value: Any) -> None:
        if self.future.done():  # the caller was cancelled; the write happened all the same
            return
        if failed:
            self.future.set_exception(value)
        else:
            self.future.set_result(value)


class _Writer:
    """One task that runs the queued write blocks in batches, one transaction at a time."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._jobs: deque[_Job] = deque()
        self._task: asyncio.Task[None] | None = None
        self.observers: list[CommitObserver] = []

    async def run(self, block: Block[T]) -> T:
        job = _Job(block, asyncio.get_running_loop().create_future())
        self._jobs.append(job)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="mentorspace-writer")
        result: T = await job.future
        return result

    async def stop(self) -> None:
        if self._task is not None:
            await self._task

    async def _drain(self) -> None:
        while self._jobs:
            batch = [self._jobs.popleft() for _ in range(min(MAX_BATCH, len(self._jobs)))]
            began = time.perf_counter()
            outcomes = await self._run_batch(batch)
            self._tell_observers(len(batch), time.perf_counter() - began)
            victims = []
            for job, (failed, value) in zip(batch, outcomes, strict=True):
                if failed and len(batch) > 1 and _deadlocked(value):
                    victims.append(job)
                else:
                    job.settle(failed, value)
            for job in victims:  # alone this time, as it would have run without the batch
                (failed, value), *_ = await self._run_batch([job])
                job.settle(failed, value)

    async def _run_batch(self, batch: list[_Job]) -> list[tuple[bool, Any]]:
        """(failed, result or exception) of each block, all settled by the same COMMIT."""
        outcomes: list[tuple[bool, Any]] = []
        try:
            async with self._pool.acquire() as conn:
                if len(batch) == 1:  # no savepoint needed: the block's failure is the batch's
                    await conn.execute("BEGIN")
                    outcomes.append(await _outcome(batch[0].block, conn))
                    await conn.execute("ROLLBACK" if outcomes[0][0] else "COMMIT")
                    return outcomes
                await conn.execute("BEGIN; SAVEPOINT block")
                for number, job in enumerate(batch):
                    failed, value = await _outcome(job.block, conn)
                    outcomes.append((failed, value))
                    if failed:
                        await conn.execute("ROLLBACK TO SAVEPOINT block")
                    if number < len(batch) - 1:  # one round trip between two blocks
                        await conn.execute("RELEASE SAVEPOINT block; SAVEPOINT block")
                await conn.execute("COMMIT")
        except Exception as exc:
            # The connection or the commit failed: nobody in the batch was acknowledged, and
            # the pool's reset rolls back whatever is still open.
            log.exception("a write batch of %d blocks failed", len(batch))
            return [(True, exc)] * len(batch)
        return outcomes

    def _tell_observers(self, blocks: int, seconds: float) -> None:
        tell_observers(self.observers, blocks, seconds)


async def _outcome(block: Block[Any], conn: asyncpg.Connection) -> tuple[bool, Any]:
    try:
        return False, await block(PostgresTx(conn))
    except Exception as exc:
        return True, exc


def _deadlocked(error: BaseException) -> bool:
    return isinstance(error, asyncpg.TransactionRollbackError)


class PostgresStore(Queries):
    """Reads on any pooled connection; writes through `write(block)`, batched by `_Writer`."""

    def __init__(self, pool: asyncpg.Pool, holds_pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._holds_pool = holds_pool
        self._holds = AdvisoryHolds(holds_pool)
        self._db = _Translating(pool)
        self._writer = _Writer(pool)

    @property
    def db(self) -> Connection:
        return self._db

    async def write(self, block: Block[T]) -> T:
        """Run `block(tx)` in the next batch; return its result once that is committed."""
        return await self._writer.run(block)

    def hold_blobs(self, *shas: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Advisory locks every node sees (storage/holds.py)."""
        return self._holds.hold(*shas)

    def observe_commits(self, observer: CommitObserver) -> None:
        """Call `observer(blocks, seconds)` after every committed batch (see CommitObserver)."""
        self._writer.observers.append(observer)

    async def check_reachable(self) -> None:
        """Raise unless a pooled connection answers."""
        await self._pool.fetchval("SELECT 1")

    async def close(self) -> None:
        await self._writer.stop()
        await self._holds_pool.close()
        await self._pool.close()


def migration_texts() -> Iterable[tuple[int, str, str]]:
    """(version, name, PostgreSQL text) of every migration, in order."""
    variants = {path.name: path for path in VARIANTS_DIR.glob("*.sql")}
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        source = variants.get(path.name, path)
        yield version, path.name, to_postgres_ddl(source.read_text(encoding="utf-8"))


async def migrate(conn: asyncpg.Connection) -> list[str]:
    """Apply the numbered migrations not yet recorded; return the names applied.  Each one
    runs in its own transaction with its record, as on SQLite."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(COMPATIBILITY_FUNCTIONS)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    applied = []
    for version, name, script in migration_texts():
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            done = await conn.fetchval(
                "SELECT 1 FROM schema_migrations WHERE version = $1", version
            )
            if done:
                continue
            await conn.execute(script)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                version,
                name,
                datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        log.info("applied migration %s", name)
        applied.append(name)
    return applied


async def open_postgres(url: str, *, pool_size: int = POOL_SIZE) -> PostgresStore:
    """Connect to the database at `url` (postgresql://…), migrate it, return the store."""
    pool = await asyncpg.create_pool(
        url, min_size=1, max_size=pool_size, init=_set_up, reset=_reset
    )
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
        holds_pool = await asyncpg.create_pool(url, min_size=0, max_size=HOLDS_POOL_SIZE)
    except BaseException:
        await pool.close()
        raise
    return PostgresStore(pool, holds_pool)


if TYPE_CHECKING:

    def _keeps_the_contracts(store: PostgresStore, tx: PostgresTx) -> tuple[Engine, Tx]:
        """mypy fails here when a query's signature and its line in `interface.py` differ."""
        return store, tx
