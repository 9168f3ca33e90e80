"""The storage guarantees, on each engine: SQLite (a file) and PostgreSQL (a database made
for the test and dropped after it; skipped where there is no PostgreSQL, failing under CI).

Two stores opened on one database stand for two server processes: each has its own writer
(SQLite: its own write connection; PostgreSQL: its own pool)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

import storage
from storage.sqlite import MIGRATIONS_DIR, SQLiteStore

from . import databases
from .conftest import require_service

NOW = "2026-11-29T12:00:00.000000+00:00"
Opener = Callable[[], Awaitable[storage.Store]]


@pytest.fixture(params=["sqlite", "postgresql"])
async def open_engine(request, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens another store on one new, empty database of the engine."""
    url = ""
    name = None
    if request.param == "postgresql":
        require_service("PostgreSQL", databases.postgres_reachable())
        name, url = databases.create_database()
    opened: list = []

    async def open_store() -> storage.Store:
        store = await storage.open_store(tmp_path, url)
        opened.append(store)
        return store

    try:
        yield open_store
    finally:
        for store in opened:
            await store.close()
        if name is not None:
            databases.drop_database(name)


async def _people_and_channel(store: storage.Store) -> tuple[int, int]:
    async def make(tx: storage.Tx) -> tuple[int, int]:
        user = await tx.insert_user(
            email="a@example.org", name="A", role="mentee", password_hash=None, now=NOW
        )
        channel = await tx.insert_channel(kind="community", name="Talk", now=NOW)
        return user.id, channel.id

    return await store.write(make)


async def test_every_migration_is_applied_and_recorded_once(open_engine):
    first = await open_engine()
    again = await open_engine()  # a second process starting: nothing left to apply
    files = sorted(path.name for path in MIGRATIONS_DIR.glob("*.sql"))
    assert await first.list_migrations() == files
    assert await again.list_migrations() == files


async def test_concurrent_writers_in_two_processes_take_every_seq_once_in_commit_order(
    open_engine,
):
    one, two = await open_engine(), await open_engine()
    author, channel = await _people_and_channel(one)

    async def post(store: storage.Store, n: int) -> tuple[int, int]:
        async def block(tx: storage.Tx) -> tuple[int, int]:
            seq = await tx.next_seq(channel)
            message_id = await tx.insert_message(
                channel_id=channel,
                author_id=author,
                thread_id=None,
                kind="text",
                body=f"message {n}",
                html=f"<p>message {n}</p>",
                client_id=f"c{n}",
                seq=seq,
                now=NOW,
            )
            return message_id, seq

        return await store.write(block)

    writes = 60
    results = await asyncio.gather(*(post(one if n % 2 else two, n) for n in range(writes)))
    seqs = sorted(seq for _, seq in results)
    assert seqs == list(range(1, writes + 1))  # no gap, no duplicate
    stored = await one.list_changes(channel, 0, writes + 10)
    assert [m.seq for m in stored] == list(range(1, writes + 1))
    assert {m.id: m.seq for m in stored} == dict(results)
    assert (await two.load_channel(channel)).last_seq == writes
    # A client that saw seq 20 gets exactly the 40 changes after it.
    assert [m.seq for m in await two.list_changes(channel, 20, 100)] == list(range(21, 61))


async def test_the_same_client_id_is_refused_whole(open_engine):
    store = await open_engine()
    author, channel = await _people_and_channel(store)

    async def post(tx: storage.Tx) -> int:
        seq = await tx.next_seq(channel)
        return await tx.insert_message(
            channel_id=channel,
            author_id=author,
            thread_id=None,
            kind="text",
            body="once",
            html="<p>once</p>",
            client_id="same",
            seq=seq,
            now=NOW,
        )

    await store.write(post)
    with pytest.raises(storage.IntegrityError):
        await store.write(post)
    # The refused write left nothing behind, not even its seq.
    assert (await store.load_channel(channel)).last_seq == 1
    assert await store.count_messages(channel) == 1


async def test_two_senders_claim_each_due_mail_once(open_engine):
    one, two = await open_engine(), await open_engine()

    async def queue(tx: storage.Tx) -> int:
        mails = [(f"p{n}@example.org", f"Subject {n}", "Body") for n in range(40)]
        return await tx.enqueue_mail(mails, NOW)

    assert await one.write(queue) == 40

    async def claim(store: storage.Store) -> list[int]:
        taken: list[int] = []
        while True:

            async def block(tx: storage.Tx):
                return await tx.claim_due_mail(
                    now=NOW, lease_until="2026-11-29T12:05:00.000000+00:00", limit=3
                )

            mails = await store.write(block)
            if not mails:
                return taken
            taken.extend(mail.id for mail in mails)

    first, second = await asyncio.gather(claim(one), claim(two))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 40


async def test_a_failing_write_among_many_at_once_undoes_itself_alone(open_engine):
    """Writes queued together share a commit (group commit, on both engines); one that fails
    is rolled back to its own savepoint, and the others stand, their seqs without a gap."""
    store = await open_engine()
    author, channel = await _people_and_channel(store)
    sizes: list[int] = []
    store.observe_commits(lambda blocks, seconds: sizes.append(blocks))

    def post(client_id: str, *, then_fail: bool = False):
        async def block(tx: storage.Tx) -> int:
            seq = await tx.next_seq(channel)
            await tx.insert_message(
                channel_id=channel,
                author_id=author,
                thread_id=None,
                kind="text",
                body=client_id,
                html=f"<p>{client_id}</p>",
                client_id=client_id,
                seq=seq,
                now=NOW,
            )
            if then_fail:
                raise LookupError("the block changed its mind")
            return seq

        return store.write(block)

    await post("first")
    outcomes = await asyncio.gather(
        *(post(f"m{n}") for n in range(10)),
        post("first"),  # refused by the unique (author, client_id)
        post("m-fails", then_fail=True),
        *(post(f"n{n}") for n in range(10)),
        return_exceptions=True,
    )
    assert isinstance(outcomes[10], storage.IntegrityError)
    assert isinstance(outcomes[11], LookupError)
    kept = [o for o in outcomes if isinstance(o, int)]
    assert sorted(kept) == list(range(2, 22))  # the failures took no seq
    if not isinstance(store, SQLiteStore):
        # PostgreSQL's writer is a task on this loop: it first runs once all 22 are queued, so
        # they share commits.  SQLite's writer thread may take each as it comes (under load,
        # one by one), so there a shared commit is not something to wait for.
        assert max(sizes) > 1
    stored = await store.list_changes(channel, 0, 100)
    assert [m.body for m in stored] == ["first"] + [f"m{n}" for n in range(10)] + [
        f"n{n}" for n in range(10)
    ]
    assert (await store.load_channel(channel)).last_seq == 21
