"""The chat rules alone, without a server: the write path (seq, threads, idempotent send) and
sync paging, called on a store over a copy of the demo programme."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import storage
from channels.chat import messages
from channels.chat.messages import edit_message, load_thread, post_message, sync_channel

from . import databases
from .support import email


@pytest.fixture
async def store(data_dir: Path) -> AsyncIterator[storage.Store]:
    opened = await databases.open_store(data_dir)
    yield opened
    await opened.close()


async def _person(store, handle: str):
    return await store.load_user_by_email(email(handle))


async def _lounge(store) -> int:
    return (await store.load_channel_by_kind("mentor_lounge")).id


async def test_a_reply_takes_the_next_seq_and_its_root_the_one_after(store):
    mentor = await _person(store, "mentor1")
    lounge = await _lounge(store)
    root = (await post_message(store, mentor, {"channel_id": lounge, "body": "Root"})).message
    reply = await post_message(
        store, mentor, {"channel_id": lounge, "body": "Reply", "thread_id": root.id}
    )
    assert reply.message.seq == root.seq + 1
    updated_root = next(m for m in reply.changes if m.id == root.id)
    assert updated_root.seq == root.seq + 2 and updated_root.reply_count == 1
    assert (await store.load_channel(lounge)).last_seq == root.seq + 2
    thread = await load_thread(store, mentor, {"message_id": root.id})
    assert [m.body for m in thread.messages] == ["Root", "Reply"]


async def test_the_same_client_id_posts_once(store):
    mentor = await _person(store, "mentor1")
    lounge = await _lounge(store)
    payload = {"channel_id": lounge, "body": "Once", "client_id": "c-1"}
    first = await post_message(store, mentor, payload)
    again = await post_message(store, mentor, payload | {"body": "Twice?"})
    assert again.message.id == first.message.id and again.message.body == "Once"
    assert (await store.load_channel(lounge)).last_seq == first.message.seq
    # Another author may use the same client_id: it is unique per author only.
    other = await post_message(store, await _person(store, "mentor2"), payload)
    assert other.message.id != first.message.id


async def test_sync_pages_give_every_change_once_in_seq_order(store, monkeypatch):
    monkeypatch.setattr(messages, "SYNC_PAGE", 3)
    mentor = await _person(store, "mentor1")
    lounge = await _lounge(store)
    since = (await store.load_channel(lounge)).last_seq
    posted = [
        (await post_message(store, mentor, {"channel_id": lounge, "body": f"m{n}"})).message
        for n in range(7)
    ]
    await edit_message(store, mentor, {"message_id": posted[1].id, "body": "m1 edited"})

    seen, pages, cursor = [], 0, since
    while True:
        page = await sync_channel(store, mentor, {"channel_id": lounge, "since_seq": cursor})
        pages += 1
        assert len(page.messages) <= 3
        seen += page.messages
        assert page.last_seq >= cursor
        cursor = page.last_seq
        if not page.more:
            break
    assert pages == 3  # 7 messages, one of them changed again: 7 changes in pages of 3
    assert [m.seq for m in seen] == sorted(m.seq for m in seen)
    assert len({m.id for m in seen}) == len(seen) == 7  # each once, in its latest state
    assert next(m for m in seen if m.id == posted[1].id).body == "m1 edited"
    assert cursor == (await store.load_channel(lounge)).last_seq
    # Nothing new: an empty page that keeps the cursor.
    empty = await sync_channel(store, mentor, {"channel_id": lounge, "since_seq": cursor})
    assert (empty.messages, empty.more, empty.last_seq) == ([], False, cursor)
