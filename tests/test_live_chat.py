"""Live delivery between the two people of a pair, and nobody else."""

from __future__ import annotations

import re

import pytest

from channels.chat.messages import MAX_REACTION_KINDS, toggle_reaction


async def test_mentor_and_mentee_chat_live_both_ways(server):
    pair = await server.pair_channel_id(1)
    mentor = await (await server.client("mentor1")).socket()
    mentee = await (await server.client("mentee1")).socket()

    sent = await mentee.send(pair, "Hello, I uploaded my **CV** draft")
    got = await mentor.wait_for("message", lambda m: m["id"] == sent["id"])
    assert got["html"] == "<p>Hello, I uploaded my <strong>CV</strong> draft</p>"
    assert got["author"]["name"] == "Sara Nielsen"

    reply = await mentor.send(pair, "Thanks, I will read it tonight")
    got = await mentee.wait_for("message", lambda m: m["id"] == reply["id"])
    assert got["seq"] == sent["seq"] + 1


@pytest.mark.parametrize("outsider", ["mentee2", "mentor2", "coordinator"])
async def test_outsiders_cannot_join_read_sync_or_receive_a_pair(server, outsider):
    pair = await server.pair_channel_id(1)
    mentee = await (await server.client("mentee1")).socket()
    spy_client = await server.client(outsider)
    spy = await spy_client.socket()

    sent = await mentee.send(pair, "Something only my mentor may read")

    for event, payload in [
        ("channel:history", {"channel_id": pair}),
        ("channel:sync", {"channel_id": pair, "since_seq": 0}),
        ("channel:subscribe", {"channel_id": pair}),
        ("thread:load", {"message_id": sent["id"]}),
        ("message:send", {"channel_id": pair, "body": "hi", "client_id": "x1"}),
        ("typing", {"channel_id": pair}),
    ]:
        ack = await spy.call(event, payload)
        # Indistinguishable from a channel or message that does not exist.
        assert ack["error"]["code"] == "not_found", (event, ack)

    for path in [
        f"/api/v1/channels/{pair}/messages",
        f"/api/v1/channels/{pair}/changes?since_seq=0",
        f"/api/v1/messages/{sent['id']}/thread",
    ]:
        response = await spy_client.get(path)
        assert response.status == 404, path
        assert "Something only" not in await response.text()

    channels = await (await spy_client.get("/api/v1/channels")).json()
    assert pair not in [c["id"] for c in channels["channels"]]

    await mentee.send(pair, "A second private message")
    postable = "announcements" if outsider == "coordinator" else "pair"
    own = next(c for c in channels["channels"] if c["kind"] == postable)
    await spy.barrier(own["id"])  # a channel the outsider may post in
    assert not [m for m in spy.received("message") if m["channel_id"] == pair]
    assert not [t for t in spy.received("typing") if t["channel_id"] == pair]


async def test_typing_reaches_the_partner_only(server):
    pair = await server.pair_channel_id(1)
    mentor = await (await server.client("mentor1")).socket()
    mentee = await (await server.client("mentee1")).socket()
    ack = await mentee.call("typing", {"channel_id": pair})
    assert ack == {"ok": True}
    typing = await mentor.wait_for("typing")
    assert typing["user"]["name"] == "Sara Nielsen" and typing["channel_id"] == pair
    await mentee.barrier(pair)
    assert not mentee.received("typing")


async def test_presence_tells_the_partner(server):
    pair = await server.pair_channel_id(1)
    mentor = await (await server.client("mentor1")).socket()
    mentee_client = await server.client("mentee1")
    mentee = await mentee_client.socket()
    mentee_id = mentee_client.user["id"]
    await mentor.wait_for("presence", lambda p: p == {"user_id": mentee_id, "online": True})
    listing = await (await (await server.client("mentor1")).get("/api/v1/channels")).json()
    [mine] = [c for c in listing["channels"] if c["id"] == pair]
    assert mine["partner"] == {"id": mentee_id, "name": "Sara Nielsen", "online": True}
    await mentee.close()
    await mentor.wait_for("presence", lambda p: p == {"user_id": mentee_id, "online": False})


async def test_reactions_toggle_and_reach_the_room(server):
    lounge = await server.channel_id("mentee_lounge")
    first = await (await server.client("mentee1")).socket()
    second = await (await server.client("mentee2")).socket()
    sent = await first.send(lounge, "Got the interview!")
    ack = await second.call("reaction:toggle", {"message_id": sent["id"], "emoji": "🎉"})
    assert ack["message"]["reactions"][0]["emoji"] == "🎉"
    assert ack["message"]["reactions"][0]["count"] == 1
    seen = await first.wait_for("message", lambda m: m["id"] == sent["id"] and m["reactions"])
    assert seen["reactions"][0]["count"] == 1
    ack = await second.call("reaction:toggle", {"message_id": sent["id"], "emoji": "🎉"})
    assert ack["message"]["reactions"] == []


async def test_a_message_keeps_at_most_its_kinds_of_reaction_and_none_once_deleted(server):
    lounge = await server.channel_id("mentee_lounge")
    first = await (await server.client("mentee1")).socket()
    second = await (await server.client("mentee2")).socket()
    sent = await first.send(lounge, "React away")
    faces = [chr(0x1F600 + n) for n in range(MAX_REACTION_KINDS + 1)]
    sara = await server.user("mentee1")
    for face in faces[:MAX_REACTION_KINDS]:  # past the socket's rate limit, straight in
        await toggle_reaction(server.store, sara, {"message_id": sent["id"], "emoji": face})
    refused = await second.call("reaction:toggle", {"message_id": sent["id"], "emoji": faces[-1]})
    assert refused["error"]["code"] == "invalid"
    assert str(MAX_REACTION_KINDS) in refused["error"]["message"]
    # A kind already there may still be joined.
    ack = await second.call("reaction:toggle", {"message_id": sent["id"], "emoji": faces[0]})
    assert len(ack["message"]["reactions"]) == MAX_REACTION_KINDS
    assert "error" not in await first.call("message:delete", {"message_id": sent["id"]})
    gone = await second.call("reaction:toggle", {"message_id": sent["id"], "emoji": faces[1]})
    assert gone["error"]["code"] == "invalid"


async def test_read_position_reaches_the_users_other_tabs(server):
    pair = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    tab1, tab2 = await mentee.socket(), await mentee.socket()
    mentor = await (await server.client("mentor1")).socket()
    sent = await mentor.send(pair, "Read me")
    listing = await (await mentee.get("/api/v1/channels")).json()
    assert next(c for c in listing["channels"] if c["id"] == pair)["unread"] == 2  # + welcome

    ack = await tab1.call("channel:read", {"channel_id": pair, "seq": sent["seq"]})
    assert ack["last_read_seq"] == sent["seq"]
    read = await tab2.wait_for("read")
    assert read == {"channel_id": pair, "last_read_seq": sent["seq"]}
    listing = await (await mentee.get("/api/v1/channels")).json()
    assert next(c for c in listing["channels"] if c["id"] == pair)["unread"] == 0


async def test_the_menu_page_and_the_api_agree_on_the_partners_presence(server):
    """One lookup of a pair's partner and their presence, for the pages and the API."""
    pair = await server.pair_channel_id(1)
    mentor_client = await server.client("mentor1")
    mentor = await mentor_client.socket()
    mentee_client = await server.client("mentee1")
    mentee_id = mentee_client.user["id"]

    async def both_say() -> tuple[set[bool], bool]:
        page = await (await mentor_client.get(f"/channels/{pair}")).text()
        marks = re.findall(rf'class="presence ([^"]*)" data-presence-user="{mentee_id}"', page)
        assert marks, "the page shows the partner's presence"
        listing = await (await mentor_client.get("/api/v1/channels")).json()
        [mine] = [c for c in listing["channels"] if c["id"] == pair]
        return {"is-online" in mark for mark in marks}, mine["partner"]["online"]

    assert await both_say() == ({False}, False)
    mentee = await mentee_client.socket()
    await mentor.wait_for("presence", lambda p: p == {"user_id": mentee_id, "online": True})
    assert await both_say() == ({True}, True)
    await mentee.close()
    await mentor.wait_for("presence", lambda p: p == {"user_id": mentee_id, "online": False})
    assert await both_say() == ({False}, False)
