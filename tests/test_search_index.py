"""The search index by channel (migration 0011), against a real store without a server: each
message's index entry follows it when it is edited, deleted or moved to another channel; the
index agrees with the messages (FTS5's integrity check against its content); a person's channels
named to the index and the words looked for everywhere (past CHANNEL_SCOPE_AT_MOST channels)
find the same hits in the same order; the migration indexes what was written before it; and
the order of a person's hits owes nothing to messages they may not read."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

import storage
from channels.chat.directory import set_up_programme
from channels.chat.messages import add_message
from channels.clock import SYSTEM_CLOCK, iso
from channels.search.query import parse_query
from storage import sqlite as sqlite_store
from storage.queries import search as search_queries
from storage.records import SearchPosition

NOW = iso(SYSTEM_CLOCK.now())


@pytest.fixture
async def store(tmp_path: Path):
    opened = await storage.open_store(tmp_path)
    await set_up_programme(opened)
    yield opened
    await opened.close()


async def make_author(store) -> int:
    async def write(tx):
        user = await tx.insert_user(
            email="writer@example.org", name="Writer", role="mentor", password_hash=None, now=NOW
        )
        return user.id

    return await store.write(write)


async def make_channels(store, count: int) -> list[int]:
    async def write(tx):
        return [
            (await tx.insert_channel(kind="community", name=f"room {n}", now=NOW)).id
            for n in range(count)
        ]

    return await store.write(write)


async def post(store, author: int, channel_id: int, *bodies: str) -> list[int]:
    async def write(tx):
        ids = []
        for body in bodies:
            added = await add_message(
                tx,
                channel_id=channel_id,
                author_id=author,
                kind="text",
                body=body,
                html=f"<p>{body}</p>",
                now=NOW,
            )
            ids.append(added.id)
        return ids

    return await store.write(write)


async def found(store, q: str, channels: list[int], **filters) -> list[int]:
    hits = await store.search_messages(parse_query(q), channel_ids=channels, limit=50, **filters)
    return [hit.message_id for hit in hits]


def execute(data: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """A statement on a connection of its own (as another program would), committed."""
    db = sqlite3.connect(data / storage.DATABASE_FILE)
    try:
        with db:
            return db.execute(sql, params).fetchall()
    finally:
        db.close()


def assert_index_agrees(data: Path) -> None:
    """FTS5's own check of the index against its content (the view): rank 1 compares them."""
    execute(data, "INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 1)")


def indexed_in(data: Path, channel_id: int) -> set[int]:
    """The messages the index holds under a channel's token."""
    match = search_queries.channel_scope([channel_id])
    rows = execute(data, "SELECT rowid FROM message_search WHERE message_search MATCH ?", (match,))
    return {row[0] for row in rows}


@pytest.fixture(params=["named", "everywhere"])
def plan(request, monkeypatch) -> str:
    """Both ways of looking in a person's channels: named to the index, or past
    CHANNEL_SCOPE_AT_MOST, the words looked for everywhere and the channels checked after."""
    if request.param == "everywhere":
        monkeypatch.setattr(search_queries, "CHANNEL_SCOPE_AT_MOST", 0)
    return request.param


async def test_an_entry_follows_its_message_through_edit_delete_and_move(store, tmp_path, plan):
    author = await make_author(store)
    first, second = await make_channels(store, 2)
    kept, edited, deleted, moved = await post(
        store, author, first, "kept heron", "edited heron", "deleted heron", "moved heron"
    )
    assert set(await found(store, "heron", [first])) == {kept, edited, deleted, moved}
    assert indexed_in(tmp_path, first) == {kept, edited, deleted, moved}

    async def change(tx):
        seq = await tx.next_seq(first)
        await tx.update_message_body(edited, body="edited egret", html="", seq=seq, now=NOW)
        await tx.mark_message_deleted(deleted, seq=await tx.next_seq(first), now=NOW)

    await store.write(change)
    # No storage call moves a message yet; the index must follow one all the same.
    execute(tmp_path, "UPDATE messages SET channel_id = ? WHERE id = ?", (second, moved))

    assert set(await found(store, "heron", [first])) == {kept}
    assert await found(store, "egret", [first]) == [edited]
    assert await found(store, "heron", [second]) == [moved]
    assert set(await found(store, "heron", [first, second])) == {kept, moved}
    assert indexed_in(tmp_path, first) == {kept, edited}
    assert indexed_in(tmp_path, second) == {moved}
    assert_index_agrees(tmp_path)

    # A message that is no longer a text (as a task or system message might be) leaves too.
    execute(tmp_path, "UPDATE messages SET kind = 'system' WHERE id = ?", (kept,))
    assert await found(store, "heron", [first]) == []
    assert_index_agrees(tmp_path)


async def test_typing_a_channel_token_finds_only_the_words(store, plan):
    author = await make_author(store)
    [room] = await make_channels(store, 1)
    await post(store, author, room, "nothing to see")
    said = await post(store, author, room, f"meet me in c{room}")
    for q in (f"c{room}", f"c{room}*", f'"c{room}"', f"C{room}", f"c{room} "):
        assert await found(store, q, [room]) == said, q
    for q in ("channel", f"channel c{room}", f"channel:c{room}", "c", f"c{room}x"):
        assert await found(store, q, [room]) == [], q


WORDS = ["amber", "birch", "cedar", "dune", "ember", "fjord", "grove", "heath", "inlet", "juniper"]


async def test_both_plans_find_the_same_hits_in_the_same_order(store, monkeypatch):
    """Over a few hundred messages in a dozen channels: every query, every reader, with
    filters and across pages, the two plans answer alike (ids, order, scores, snippets)."""
    monkeypatch.setattr(search_queries, "RANK_AT_MOST", 40)  # both orders, newest and ranked
    author = await make_author(store)
    rooms = await make_channels(store, 12)
    rng = random.Random(7)
    for room in rooms:
        bodies = [
            " ".join(rng.choices(WORDS, weights=range(10, 0, -1), k=rng.randint(2, 12)))
            for _ in range(30)
        ]
        await post(store, author, room, *bodies)
    readers = [rooms[:1], rooms[:3], rooms[2:9], rooms]
    queries = ["amber", "juniper", "amb", "birch cedar", '"amber birch"', "heath inlet", "zzz"]

    async def every_page(q: str, channels: list[int], **filters) -> list[tuple]:
        pages, cursor = [], None
        while True:
            hits = await store.search_messages(
                parse_query(q), channel_ids=channels, cursor=cursor, limit=7, **filters
            )
            pages += [(h.message_id, h.score, h.snippet, h.channel_id) for h in hits]
            if len(hits) < 7:
                return pages
            cursor = SearchPosition(hits[-1].score, hits[-1].message_id)

    answers = {}
    for scope in (100, 0):
        monkeypatch.setattr(search_queries, "CHANNEL_SCOPE_AT_MOST", scope)
        answers[scope] = [
            await every_page(q, channels, **filters)
            for q in queries
            for channels in readers
            for filters in ({}, {"author_id": author}, {"before": "1970-01-01"})
        ]
    assert answers[100] == answers[0]
    assert any(len(answer) > 40 for answer in answers[0])  # some came newest first
    assert any(0 < len(answer) <= 40 for answer in answers[0])  # and some ranked


async def test_the_order_of_hits_owes_nothing_to_unreadable_messages(store):
    """FTS5's bm25 weighs each word by how many messages of the whole index hold it, so a pair
    writing one word often would reorder everyone else's results.  Scores here come from the
    person's own hits: what others write changes neither the order nor the scores."""
    author = await make_author(store)
    readable, unreadable = await make_channels(store, 2)
    more_quartz, more_slate, _, longer = await post(
        store,
        author,
        readable,
        "quartz quartz slate",
        "quartz slate slate",
        "slate",
        "quartz slate and a good deal more to read around them",
    )
    terms = parse_query("quartz slate")
    before = await store.search_messages(terms, channel_ids=[readable], limit=9)
    # As often, and as long: newest first between the two; the long one last.
    assert [hit.message_id for hit in before] == [more_slate, more_quartz, longer]
    # Slate everywhere else: by the whole index, quartz would be the rarer, weightier word.
    await post(store, author, unreadable, *["slate everywhere"] * 40)
    after = await store.search_messages(terms, channel_ids=[readable], limit=9)
    assert [(h.message_id, h.score) for h in after] == [(h.message_id, h.score) for h in before]


async def test_the_migration_indexes_earlier_messages_by_channel(tmp_path, monkeypatch):
    earlier = tmp_path / "migrations"
    earlier.mkdir()
    for path in sorted(sqlite_store.MIGRATIONS_DIR.glob("*.sql")):
        # and 0016 on (research: today's posting code records use), which do not touch it;
        # but 0022, which rewrites 0012's questionnaire answers
        version = int(path.name.split("_", 1)[0])
        if version < 11 or (version >= 16 and version != 22):
            shutil.copy(path, earlier / path.name)
    data = tmp_path / "data"
    monkeypatch.setattr(sqlite_store, "MIGRATIONS_DIR", earlier)
    old = await storage.open_store(data)
    try:
        await set_up_programme(old)
        author = await make_author(old)
        first, second = await make_channels(old, 2)
        [in_first] = await post(old, author, first, "written before the channel column")
        [in_second] = await post(old, author, second, "also written before it")
    finally:
        await old.close()

    monkeypatch.undo()
    new = await storage.open_store(data)
    try:
        assert await found(new, "written", [first]) == [in_first]
        assert await found(new, "written", [second]) == [in_second]
        assert await found(new, "before", [first, second]) == [in_second, in_first]
        assert indexed_in(data, first) == {in_first} and indexed_in(data, second) == {in_second}
        assert_index_agrees(data)
    finally:
        await new.close()
