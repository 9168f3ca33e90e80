"""A channel, message or thread you may not read is indistinguishable from one that does not
exist: the same status and the same body, over the API, the pages and socket.io ACKs.  Only
what you can read but not do is `forbidden`."""

from __future__ import annotations

import pytest

MISSING = 10**9  # an id nobody has


async def _pair_and_message(server):
    """Pair 1's channel, a message in it, and a thread reply, written by its mentee."""
    pair = await server.pair_channel_id(1)
    mentee = await (await server.client("mentee1")).socket()
    root = await mentee.send(pair, "only for my mentor")
    await mentee.send(pair, "a reply only for my mentor", thread_id=root["id"])
    return pair, root["id"]


def _http_cases(channel: int, message: int, lounge: int) -> list[tuple[str, str, object]]:
    return [
        ("GET", f"/api/v1/channels/{channel}/messages", None),
        ("GET", f"/api/v1/channels/{channel}/changes?since_seq=0", None),
        ("POST", f"/api/v1/channels/{channel}/messages", {"body": "hello", "client_id": "c1"}),
        ("POST", f"/api/v1/channels/{channel}/read", {"seq": 1}),
        ("GET", f"/api/v1/messages/{message}/thread", None),
        ("PATCH", f"/api/v1/messages/{message}", {"body": "mine now"}),
        ("DELETE", f"/api/v1/messages/{message}", None),
        ("POST", f"/api/v1/messages/{message}/reactions", {"emoji": "👍"}),
        ("POST", f"/api/v1/messages/{message}/complete", {"done": True}),
        ("POST", f"/api/v1/messages/{message}/report", {"confirmed": True}),
        ("GET", f"/messages/{message}/report", None),
        ("POST", f"/api/v1/channels/{lounge}/messages", {"body": "x", "thread_id": message}),
        ("GET", f"/channels/{channel}", None),
        ("GET", f"/channels/{channel}/threads/{message}", None),
        ("GET", f"/channels/{lounge}/threads/{message}", None),
    ]


def _socket_cases(channel: int, message: int, lounge: int) -> list[tuple[str, dict]]:
    return [
        ("channel:history", {"channel_id": channel}),
        ("channel:sync", {"channel_id": channel, "since_seq": 0}),
        ("channel:read", {"channel_id": channel, "seq": 1}),
        ("channel:subscribe", {"channel_id": channel}),
        ("typing", {"channel_id": channel}),
        ("message:send", {"channel_id": channel, "body": "hi", "client_id": "s1"}),
        (
            "message:send",
            {"channel_id": lounge, "body": "hi", "client_id": "s2", "thread_id": message},
        ),
        ("thread:load", {"message_id": message}),
        ("message:edit", {"message_id": message, "body": "mine now"}),
        ("message:delete", {"message_id": message}),
        ("reaction:toggle", {"message_id": message, "emoji": "👍"}),
        ("task:complete", {"message_id": message, "done": True}),
    ]


@pytest.mark.parametrize("handle", ["mentee2", "mentor2", "coordinator"])
async def test_unreadable_and_missing_answer_the_same_over_http(server, handle):
    pair, message = await _pair_and_message(server)
    lounge = await server.channel_id("mentee_lounge" if handle == "mentee2" else "mentor_lounge")
    spy = await server.client(handle)
    unreadable = _http_cases(pair, message, lounge)
    missing = _http_cases(MISSING, MISSING, lounge)
    for (method, path, body), (_, missing_path, _) in zip(unreadable, missing, strict=True):
        got = await spy.http.request(method, path, json=body)
        expected = await spy.http.request(method, missing_path, json=body)
        got_text, expected_text = await got.text(), await expected.text()
        assert got.status == expected.status == 404, (path, got.status, got_text)
        assert got_text == expected_text, (path, got_text, expected_text)
        assert "only for my mentor" not in got_text
    if handle != "coordinator":
        return
    # Only readable things may say `forbidden`: nothing was posted in the pair.
    history = await (await server.client("mentor1")).get(f"/api/v1/channels/{pair}/messages")
    assert [m["body"] for m in (await history.json())["messages"]][-1] == "only for my mentor"


@pytest.mark.parametrize("handle", ["mentee2", "coordinator"])
async def test_unreadable_and_missing_answer_the_same_over_socketio(server, handle):
    pair, message = await _pair_and_message(server)
    lounge = await server.channel_id("mentee_lounge")
    spy = await (await server.client(handle)).socket()
    unreadable = _socket_cases(pair, message, lounge)
    missing = _socket_cases(MISSING, MISSING, lounge)
    for (event, payload), (_, missing_payload) in zip(unreadable, missing, strict=True):
        got = await spy.call(event, payload)
        expected = await spy.call(event, missing_payload)
        assert got == expected, (event, got, expected)
        assert got["error"]["code"] == "not_found", (event, got)
    assert not [m for m in spy.received() if m["channel_id"] == pair]


async def test_what_you_can_read_but_not_do_is_still_forbidden(server):
    mentee = await (await server.client("mentee1")).socket()
    announcements = await server.channel_id("announcements")
    ack = await mentee.call(
        "message:send", {"channel_id": announcements, "body": "hi", "client_id": "a1"}
    )
    assert ack["error"]["code"] == "forbidden"
    coordinator = await server.client("coordinator")
    pair_channel = await server.pair_channel_id(1)
    pair_id = (await server.store.load_pair_by_channel(pair_channel)).id
    assert (await coordinator.delete(f"/api/v1/pairs/{pair_id}")).status == 200
    ended = await mentee.call(
        "message:send", {"channel_id": pair_channel, "body": "hi", "client_id": "a2"}
    )
    assert ended["error"]["code"] == "forbidden" and "read-only" in ended["error"]["message"]
