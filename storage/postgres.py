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
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg

from .dialect import COMPATIBILITY_FUNCTIONS, NothingToDo, to_postgres, to_postgres_ddl
from .errors import IntegrityError
from .holds import AdvisoryHolds
from .interface import Block, CommitObserver, Engine, Tx
from .queries import Queries
from .queries.base import Connection, Params

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VARIANTS_DIR = MIGRATIONS_DIR / "postgres"  # a migration's PostgreSQL text, where it differs
POOL_SIZE = 10
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


class PostgresStore(Queries):
    """Reads on any pooled connection; writes through `write(block)`, one transaction each."""

    def __init__(self, pool: asyncpg.Pool, holds_pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._holds_pool = holds_pool
        self._holds = AdvisoryHolds(holds_pool)
        self._db = _Translating(pool)
        self._observers: list[CommitObserver] = []

    @property
    def db(self) -> Connection:
        return self._db

    async def write(self, block: Block[T]) -> T:
        """Run `block(tx)` in a transaction; return its result once it is committed."""
        began = time.perf_counter()
        async with self._pool.acquire() as conn, conn.transaction():
            result = await block(PostgresTx(conn))
        self._tell_observers(time.perf_counter() - began)
        return result

    def hold_blobs(self, *shas: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Advisory locks every node sees (storage/holds.py)."""
        return self._holds.hold(*shas)

    def observe_commits(self, observer: CommitObserver) -> None:
        """Call `observer(1, seconds)` after every committed write (no batching here)."""
        self._observers.append(observer)

    def _tell_observers(self, seconds: float) -> None:
        for observe in self._observers:
            try:
                observe(1, seconds)
            except Exception:
                log.exception("a commit observer failed")

    async def check_reachable(self) -> None:
        """Raise unless a pooled connection answers."""
        await self._pool.fetchval("SELECT 1")

    async def close(self) -> None:
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
    pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size, init=_set_up)
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
