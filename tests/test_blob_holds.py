"""Holds on blobs (storage/holds.py): while one holder has a digest, another waits, on the same
node and, on PostgreSQL, on another node sharing the database.  That is what keeps an upload's
blob from being deleted by a node letting go of the last other file with the same bytes."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import storage
from storage.holds import BLOB_LOCKS

from . import databases
from .conftest import require_service
from .support import eventually

SHA = hashlib.sha256(b"the same bytes on two nodes").hexdigest()
OTHER = hashlib.sha256(b"other bytes").hexdigest()


async def _waits_for(first_hold, second_hold, is_waiting) -> None:
    """While `first_hold` is held, `second_hold` waits (`is_waiting()` says it is queued: the
    barrier), and enters once the first is let go."""
    entered = asyncio.Event()

    async def second() -> None:
        async with second_hold:
            entered.set()

    async with first_hold:
        waiting = asyncio.create_task(second())
        await eventually(is_waiting)
        assert not entered.is_set()
    await asyncio.wait_for(waiting, 10)
    assert entered.is_set()


async def test_a_hold_makes_the_next_holder_of_the_digest_wait(data_dir: Path):
    store = await databases.open_store(data_dir)
    try:
        holds = store._holds
        process = getattr(holds, "_process", holds)
        await _waits_for(
            store.hold_blobs(SHA), store.hold_blobs(OTHER, SHA), lambda: SHA in process._locks
        )
        # Another digest does not wait for it.
        async with store.hold_blobs(SHA):
            async with store.hold_blobs(OTHER):
                pass
    finally:
        await store.close()


async def test_on_postgresql_a_hold_is_seen_by_every_node():
    require_service("PostgreSQL", databases.postgres_reachable())
    name, url = databases.create_database()
    try:
        node_a = await storage.open_store(Path("unused"), url)
        node_b = await storage.open_store(Path("unused"), url)
        try:

            async def b_is_queued() -> bool:
                count = await node_a._pool.fetchval(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND classid = $1::int::oid AND NOT granted",
                    BLOB_LOCKS,
                )
                return count == 1

            await _waits_for(node_a.hold_blobs(SHA), node_b.hold_blobs(SHA), b_is_queued)
            # Let go of every lock: the next hold on either node enters at once.
            async with node_b.hold_blobs(SHA), node_a.hold_blobs(OTHER):
                pass
        finally:
            await node_a.close()
            await node_b.close()
    finally:
        databases.drop_database(name)
