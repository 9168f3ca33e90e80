"""Bad input gets a clear error code and a sentence, changes nothing, and the server lives on."""

from __future__ import annotations

import html
import io
import json
import re

import pytest

LONG = "x" * 10_001


async def _count(server) -> int:
    return await server.store.count_messages()


SOCKET_CASES = [
    ("message:send", "not an object", "invalid"),
    ("message:send", 42, "invalid"),
    ("message:send", ["list"], "invalid"),
    ("message:send", None, "invalid"),
    ("message:send", {}, "invalid"),
    ("message:send", {"channel_id": "12", "body": "hi", "client_id": "a"}, "invalid"),
    ("message:send", {"channel_id": True, "body": "hi", "client_id": "a"}, "invalid"),
    ("message:send", {"channel_id": -3, "body": "hi", "client_id": "a"}, "invalid"),
    ("message:send", {"channel_id": 1.5, "body": "hi", "client_id": "a"}, "invalid"),
    ("message:send", {"channel_id": 999999, "body": "hi", "client_id": "a"}, "not_found"),
    ("message:send", {"channel_id": "LOUNGE", "client_id": "a"}, "invalid"),
    ("message:send", {"channel_id": "LOUNGE", "body": "", "client_id": "a"}, "invalid"),
    ("message:send", {"channel_id": "LOUNGE", "body": "  \n\t ", "client_id": "a"}, "invalid"),
    ("message:send", {"channel_id": "LOUNGE", "body": 12, "client_id": "a"}, "invalid"),
    ("message:send", {"channel_id": "LOUNGE", "body": LONG, "client_id": "a"}, "too_large"),
    ("message:send", {"channel_id": "LOUNGE", "body": "hi", "client_id": 7}, "invalid"),
    ("message:send", {"channel_id": "LOUNGE", "body": "hi", "client_id": "c" * 65}, "too_large"),
    ("message:send", {"channel_id": "LOUNGE", "body": "hi", "thread_id": 999999}, "not_found"),
    ("message:send", {"channel_id": "OTHER_PAIR", "body": "hi", "client_id": "a"}, "not_found"),
    ("message:send", {"channel_id": "MENTOR_LOUNGE", "body": "hi", "client_id": "a"}, "not_found"),
    ("message:send", {"channel_id": "ANNOUNCEMENTS", "body": "hi", "client_id": "a"}, "forbidden"),
    ("message:edit", {"message_id": "THEIRS", "body": "mine now"}, "forbidden"),
    ("message:edit", {"message_id": "MINE", "body": ""}, "invalid"),
    ("message:edit", {"message_id": "MINE", "body": LONG}, "too_large"),
    ("message:edit", {"message_id": "MINE"}, "invalid"),
    ("message:edit", {"message_id": 999999, "body": "x"}, "not_found"),
    ("message:delete", {"message_id": "THEIRS"}, "forbidden"),
    ("message:delete", {"message_id": "x"}, "invalid"),
    ("reaction:toggle", {"message_id": "MINE", "emoji": ""}, "invalid"),
    ("reaction:toggle", {"message_id": "MINE", "emoji": "<script>"}, "invalid"),
    ("reaction:toggle", {"message_id": "MINE", "emoji": "👍" * 40}, "invalid"),
    ("channel:sync", {"channel_id": "LOUNGE", "since_seq": -1}, "invalid"),
    ("channel:sync", {"channel_id": "LOUNGE", "since_seq": "0"}, "invalid"),
    ("channel:history", {"channel_id": "LOUNGE", "limit": 0}, "invalid"),
    ("channel:history", {"channel_id": "LOUNGE", "limit": 10_000}, "invalid"),
    ("channel:read", {"channel_id": "OTHER_PAIR", "seq": 1}, "not_found"),
    ("thread:load", {"message_id": 999999}, "not_found"),
    ("typing", {"channel_id": "ANNOUNCEMENTS"}, "forbidden"),
]


@pytest.mark.parametrize(("event", "payload", "code"), SOCKET_CASES)
async def test_bad_socket_payloads_are_refused_and_change_nothing(server, event, payload, code):
    mentee = await (await server.client("mentee1")).socket()
    mentor = await (await server.client("mentor1")).socket()
    lounge = await server.channel_id("mentee_lounge")
    mine = await mentee.send(lounge, "my message")
    theirs = await (await (await server.client("mentee2")).socket()).send(lounge, "hers")
    names = {
        "LOUNGE": lounge,
        "MENTOR_LOUNGE": await server.channel_id("mentor_lounge"),
        "ANNOUNCEMENTS": await server.channel_id("announcements"),
        "OTHER_PAIR": await server.pair_channel_id(2),
        "MINE": mine["id"],
        "THEIRS": theirs["id"],
    }
    if isinstance(payload, dict):
        payload = {k: names.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    before = await _count(server)
    last_seq = (await server.store.load_channel(lounge)).last_seq

    ack = await mentee.call(event, payload)

    assert ack["error"]["code"] == code, ack
    assert len(ack["error"]["message"]) > 10
    assert await _count(server) == before
    assert (await server.store.load_channel(lounge)).last_seq == last_seq
    assert (await server.store.load_message(mine["id"])).body == "my message"
    assert (await mentor.call("channel:sync", {"channel_id": await server.pair_channel_id(1)}))[
        "ok"
    ]


async def test_wrong_number_of_arguments_gets_an_error_ack(server):
    mentee = await (await server.client("mentee1")).socket()
    ack = await mentee.sio.call("message:send", ({"a": 1}, {"b": 2}), timeout=5)
    assert ack["error"]["code"] == "invalid"
    ack = await mentee.sio.call("channel:sync", timeout=5)
    assert ack["error"]["code"] == "invalid"


async def test_an_oversized_socket_packet_does_not_take_the_server_down(server):
    big = await (await server.client("mentee1")).socket()
    lounge = await server.channel_id("mentee_lounge")
    before = await _count(server)
    await big.sio.emit(
        "message:send", {"channel_id": lounge, "body": "y" * 200_000, "client_id": "b"}
    )
    await big.sio.sleep(0.5)
    assert await _count(server) == before
    fresh = await (await server.client("mentee2")).socket()
    assert (await fresh.send(lounge, "still here"))["body"] == "still here"


HTTP_CASES = [
    ("post", "/api/v1/channels/LOUNGE/messages", b"{not json", "invalid", 400),
    ("post", "/api/v1/channels/LOUNGE/messages", b"[1, 2]", "invalid", 400),
    ("post", "/api/v1/channels/LOUNGE/messages", b'{"body": ""}', "invalid", 400),
    ("post", "/api/v1/channels/LOUNGE/messages", b'{"body": "   "}', "invalid", 400),
    ("post", "/api/v1/channels/LOUNGE/messages", b'{"body": 5}', "invalid", 400),
    ("post", "/api/v1/channels/abc/messages", b'{"body": "x"}', "invalid", 400),
    ("post", "/api/v1/channels/999999/messages", b'{"body": "x"}', "not_found", 404),
    ("post", "/api/v1/channels/OTHER_PAIR/messages", b'{"body": "x"}', "not_found", 404),
    (
        "post",
        "/api/v1/channels/LOUNGE/messages",
        b'{"body": "x", "thread_id": "1"}',
        "invalid",
        400,
    ),
    ("patch", "/api/v1/messages/THEIRS", b'{"body": "x"}', "forbidden", 403),
    ("delete", "/api/v1/messages/THEIRS", None, "forbidden", 403),
    ("get", "/api/v1/channels/LOUNGE/changes?since_seq=-4", None, "invalid", 400),
    ("get", "/api/v1/channels/LOUNGE/messages?limit=zero", None, "invalid", 400),
    ("get", "/api/v1/no-such-thing", None, "not_found", 404),
    ("put", "/api/v1/channels", None, "invalid", 405),
]


@pytest.mark.parametrize(("method", "path", "body", "code", "status"), HTTP_CASES)
async def test_bad_http_requests_are_refused_and_change_nothing(
    server, method, path, body, code, status
):
    client = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    theirs = await (await (await server.client("mentee2")).socket()).send(lounge, "hers")
    path = (
        path.replace("OTHER_PAIR", str(await server.pair_channel_id(2)))
        .replace("LOUNGE", str(lounge))
        .replace("THEIRS", str(theirs["id"]))
    )
    before = await _count(server)
    headers = {"Content-Type": "application/json"}
    response = await client.http.request(method.upper(), path, data=body, headers=headers)
    assert response.status == status
    assert (await response.json())["error"]["code"] == code
    assert await _count(server) == before
    assert (await server.store.load_message(theirs["id"])).body == "hers"


async def test_oversized_http_body_is_too_large(server):
    client = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    body = io.BytesIO(json.dumps({"body": "z" * 2_000_000}).encode())
    response = await client.http.post(
        f"/api/v1/channels/{lounge}/messages",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "too_large"


NOT_AN_ID = "'channel_id' must be a positive whole number."


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "9" * 16, "٣", "1e3"])
async def test_a_bad_channel_id_gets_the_same_answer_on_every_route(server, bad):
    """The one reading of an id: JSON API, pages and forms, and socket payloads all refuse it
    with `invalid` and the same sentence, and nothing changes."""
    client = await server.client("mentee1")
    sock = await client.socket()
    home = await (await client.get("/")).text()
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', home)[1]
    before = await _count(server)

    for method, path in [
        ("GET", f"/api/v1/channels/{bad}/messages"),
        ("GET", f"/api/v1/channels/{bad}/changes"),
        ("POST", f"/api/v1/channels/{bad}/messages"),
        ("POST", f"/api/v1/channels/{bad}/read"),
        ("POST", f"/api/v1/communities/{bad}/membership"),
    ]:
        response = await client.http.request(method, path, json={"body": "x", "seq": 1})
        assert response.status == 400, path
        assert (await response.json())["error"] == {"code": "invalid", "message": NOT_AN_ID}

    for method, path in [
        ("GET", f"/channels/{bad}"),
        ("POST", f"/channels/{bad}/messages"),
        ("POST", f"/communities/{bad}/join"),
    ]:
        response = await client.http.request(
            method, path, data={"body": "x", "csrf_token": csrf}, allow_redirects=False
        )
        assert response.status == 400, path
        assert NOT_AN_ID in html.unescape(await response.text()), path

    value = int(bad) if bad.isascii() and bad.lstrip("-").isdigit() else bad
    for event in ("channel:history", "channel:sync", "message:send"):
        ack = await sock.call(event, {"channel_id": value, "body": "x", "client_id": "c"})
        assert ack["error"] == {"code": "invalid", "message": NOT_AN_ID}, event

    assert await _count(server) == before


async def test_a_choice_sent_as_a_list_or_an_object_is_refused_not_a_crash(server):
    """Found by the schema fuzzing: a list where a word was expected met a dict's `in` (500)."""
    sara, carla = await server.client("mentee1"), await server.client("coordinator")
    for odd in ([["question"]], {"a": 1}, [], 7):
        sent = await sara.post("/api/v1/feedback", {"category": odd, "body": "Hello"})
        assert sent.status == 400, odd
    created = await carla.post("/api/v1/questionnaires", {"title": "Intake"})
    assert created.status == 201, await created.text()
    questionnaire = (await created.json())["questionnaire"]["id"]
    for odd in ([["scale"]], {"kind": "scale"}):
        added = await carla.post(
            f"/api/v1/questionnaires/{questionnaire}/questions", {"kind": odd, "prompt": "How?"}
        )
        assert added.status == 400, odd
