"""Who may have a file: exactly those who may read its message's channel now, asked again at
every download.  Anyone else gets the same 404 as for an id never used; a file of a pair
channel, and its name, never reach anyone outside the pair, coordinators included.  Deleting
a message ends access to its files, and a blob nothing refers to leaves the disk."""

from __future__ import annotations

import json

import pytest

from .file_support import png, share, stored_blobs, uploaded
from .support import Client, Server

MISSING_FILE = "/files/AAAAAAAAAAAAAAAAAAAAAAAA/x.txt"


@pytest.fixture
def server(file_server: Server) -> Server:
    """Each test runs on both file stores: the local disk and S3 (conftest.file_server)."""
    return file_server


async def _answer(client: Client, path: str) -> tuple[int, str]:
    response = await client.get(path)
    return response.status, await response.text()


async def test_a_pair_file_and_its_name_never_leave_the_pair(server: Server):
    pair = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    marker = "MARKER-7c1e"
    root, text_file = await share(
        mentee, f"{marker} contents".encode(), f"{marker} salary.txt", pair, body="for you only"
    )
    _, picture = await share(mentee, png(), f"{marker}.png", pair, thread_id=root["id"])
    missing = await _answer(mentee, MISSING_FILE)
    assert missing[0] == 404

    outsiders = {
        h: await server.client(h) for h in ("coordinator", "mentor2", "mentee2", "mentor3")
    }
    watchers = {h: await c.socket() for h, c in outsiders.items()}
    # While they watch, the pair sends one more file; nobody outside sees it arrive.
    await share(mentee, png(color=(1, 2, 3)), f"{marker} live.png", pair)
    lounge = {
        "coordinator": await server.channel_id("mentor_lounge"),
        "mentor2": await server.channel_id("mentor_lounge"),
        "mentor3": await server.channel_id("mentor_lounge"),
        "mentee2": await server.channel_id("mentee_lounge"),
    }
    for handle, client in outsiders.items():
        for path in (text_file["url"], picture["url"], picture["thumbnail_url"]):
            assert await _answer(client, path) == missing, (handle, path)
        # Their own channels, their history and every change: no trace of the name.
        channels = (await (await client.get("/api/v1/channels")).json())["channels"]
        for channel in channels:
            for path in (
                f"/api/v1/channels/{channel['id']}/messages",
                f"/api/v1/channels/{channel['id']}/changes?since_seq=0",
            ):
                assert marker not in await (await client.get(path)).text(), (handle, path)
            page = await (await client.get(f"/channels/{channel['id']}")).text()
            assert marker not in page
        # The pair's channel itself, and the thread, are not there for them.
        assert (await client.get(f"/api/v1/channels/{pair}/messages")).status == 404
        assert (await client.get(f"/api/v1/messages/{root['id']}/thread")).status == 404
        # Nor can they attach the pair's file to a message of their own.
        sock = watchers[handle]
        ack = await sock.call(
            "message:send",
            {"channel_id": lounge[handle], "body": "mine", "attachments": [text_file["id"]], "client_id": f"steal-{handle}"},
        )  # fmt: skip
        assert ack["error"] == {"code": "not_found", "message": "That file does not exist."}
        await sock.barrier(lounge[handle])
        assert marker not in json.dumps(sock.events), handle

    # The pair itself: both of them, all three answers.
    mentor = await server.client("mentor1")
    for path in (text_file["url"], picture["url"], picture["thumbnail_url"]):
        assert (await mentor.get(path)).status == 200


async def test_another_pairs_file_id_is_missing(server: Server):
    mentee1, mentee2 = await server.client("mentee1"), await server.client("mentee2")
    _, theirs = await share(mentee2, b"pair two only", "two.txt", await server.pair_channel_id(2))
    missing = await _answer(mentee1, MISSING_FILE)
    assert await _answer(mentee1, theirs["url"]) == missing
    # The name in the address changes nothing, nor a made-up id of the right shape.
    assert await _answer(mentee1, f"/files/{theirs['id']}/other.txt") == missing
    assert (await mentee1.get("/files/..%2F..%2Fsecret/x")).status == 404
    assert (await mentee2.get(f"/files/{theirs['id']}/anything")).status == 200


async def test_an_ended_pair_keeps_its_files_for_the_pair_never_for_coordinators(server: Server):
    pair = await server.pair_channel_id(3)
    mentor = await server.client("mentor3")
    _, file = await share(mentor, png(), "plan.png", pair)
    coordinator = await server.client("coordinator")
    mentee3 = await server.store.load_user_by_email("mentee3@demo.mentorspace")
    pair_id = (await server.store.load_active_pair_of_mentee(mentee3.id)).id
    assert (await coordinator.delete(f"/api/v1/pairs/{pair_id}")).status == 200

    mentee = await server.client("mentee3")
    for client in (mentor, mentee):
        assert (await client.get(file["url"])).status == 200
        assert (await client.get(file["thumbnail_url"])).status == 200
    missing = await _answer(coordinator, MISSING_FILE)
    assert await _answer(coordinator, file["url"]) == missing
    assert await _answer(coordinator, file["thumbnail_url"]) == missing
    # Read-only now: no new files go in.
    upload = await uploaded(mentor, b"late", "late.txt")
    ack = await mentor.sockets[0].call(
        "message:send",
        {"channel_id": pair, "body": "", "attachments": [upload["id"]], "client_id": "late"},
    )
    assert ack["error"]["code"] == "forbidden"


async def test_a_deleted_message_takes_its_files_and_unshared_blobs_with_it(server: Server):
    pair = await server.pair_channel_id(1)
    lounge = await server.channel_id("mentee_lounge")
    mentee, mentor = await server.client("mentee1"), await server.client("mentor1")
    same = b"the very same bytes, shared twice"
    in_pair, shared_one = await share(mentee, same, "one.txt", pair)
    in_lounge, shared_two = await share(mentee, same, "two.txt", lounge)
    only, alone = await share(mentee, png(), "alone.png", pair)
    assert len(stored_blobs(server)) == 3  # the shared bytes once, the PNG and its thumbnail

    sock = mentee.sockets[0]
    deleted = await sock.call("message:delete", {"message_id": only["id"]})
    assert deleted["message"]["deleted"] and deleted["message"]["attachments"] == []
    missing = await _answer(mentor, MISSING_FILE)
    assert await _answer(mentor, alone["url"]) == missing
    assert await _answer(mentee, alone["thumbnail_url"]) == missing  # the author too
    assert len(stored_blobs(server)) == 1  # the PNG and its thumbnail left the disk

    # The same bytes in another message stay while that message does.
    response = await mentee.delete(f"/api/v1/messages/{in_pair['id']}")
    assert response.status == 200
    assert await _answer(mentor, shared_one["url"]) == missing
    assert len(stored_blobs(server)) == 1
    assert (await (await server.client("mentee2")).get(shared_two["url"])).status == 200
    assert (await mentee.delete(f"/api/v1/messages/{in_lounge['id']}")).status == 200
    assert stored_blobs(server) == set()
    history = await (await mentor.get(f"/api/v1/channels/{pair}/changes?since_seq=0")).json()
    assert all(not m["attachments"] for m in history["changes"] if m["deleted"])


async def test_attaching_is_for_your_own_unsent_uploads_ten_at_most(server: Server):
    pair = await server.pair_channel_id(1)
    mentee, mentor = await server.client("mentee1"), await server.client("mentor1")
    sock = await mentor.socket()
    hers = await uploaded(mentee, b"hers", "hers.txt")

    async def send(attachments, client_id):
        return await sock.call(
            "message:send",
            {"channel_id": pair, "body": "x", "attachments": attachments, "client_id": client_id},
        )

    not_his = await send([hers["id"]], "c1")
    assert not_his["error"] == {"code": "not_found", "message": "That file does not exist."}
    # Her unsent upload is hers alone, even for her partner.
    assert (await mentor.get(hers["url"])).status == 404
    assert (await mentee.get(hers["url"])).status == 200

    eleven = [(await uploaded(mentor, f"file {n}".encode(), f"{n}.txt"))["id"] for n in range(11)]
    too_many = await send(eleven, "c2")
    assert (
        too_many["error"]["code"] == "invalid"
        and "at most 10 files" in too_many["error"]["message"]
    )
    twice = await send([eleven[0], eleven[0]], "c3")
    assert twice["error"]["code"] == "invalid"
    for wrong in ("nope", 5, [5], {"id": eleven[0]}):
        answer = await send(wrong, f"c-{wrong!r}")
        assert answer["error"]["code"] in ("invalid", "not_found"), wrong
    ten = await send(eleven[:10], "c4")
    assert [a["id"] for a in ten["message"]["attachments"]] == eleven[:10]
    again = await send([eleven[0]], "c5")
    assert (
        again["error"]["code"] == "invalid"
        and "attached to a message already" in again["error"]["message"]
    )
    # A retry of the same send (same client_id) returns the first message, files and all.
    retry = await send(eleven[:10], "c4")
    assert retry["message"]["id"] == ten["message"]["id"]
    assert len(retry["message"]["attachments"]) == 10
    # The mentee sees them live, then downloads one.
    assert (await mentee.get(ten["message"]["attachments"][3]["url"])).status == 200
