"""One user cannot exhaust the server: binary packets hang up at once and buffer nothing,
sockets per user and per address are capped, and events are rate-limited per socket and per
user (token buckets on the injected clock, so no test sleeps)."""

from __future__ import annotations

import asyncio
import json
import uuid

import aiohttp
import pytest
import socketio

from server import keys
from server.auth import COOKIE
from server.realtime.limits import ABUSE_LIMIT

from .clocks import FakeClock
from .mail_support import running_server
from .support import CONNECT_WAIT, SocketClient


async def _raw_socket(
    server, token: str
) -> tuple[aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]:
    """An engine.io websocket joined to the socket.io namespace by hand, as an attacker would."""
    http = aiohttp.ClientSession()
    try:
        ws = await http.ws_connect(
            f"{server.url}/socket.io/?EIO=4&transport=websocket",
            headers={"Cookie": f"{COOKIE}={token}"},
        )
        opened = await ws.receive_str(timeout=5)
        assert opened.startswith("0{")
        await ws.send_str("40")
        while not (await ws.receive_str(timeout=5)).startswith("40{"):
            pass  # events (presence) may come before the CONNECT answer
    except BaseException:
        await http.close()
        raise
    return http, ws


async def _closed(ws: aiohttp.ClientWebSocketResponse) -> bool:
    """Read until the server closes the websocket (engine.io pings keep coming otherwise)."""

    async def until_closed() -> None:
        while True:
            message = await ws.receive()
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                return

    await asyncio.wait_for(until_closed(), 5)
    return True


@pytest.mark.parametrize("announce", [True, False])
async def test_binary_packets_hang_up_and_buffer_nothing(server, announce):
    attacker = await server.client("mentee2")
    http, ws = await _raw_socket(server, attacker.token)
    try:
        if announce:  # a BINARY_EVENT announcing 999,999,999 attachments, then the frames
            placeholder = json.dumps(["message:send", {"_placeholder": True, "num": 0}])
            await ws.send_str(f"45999999999-{placeholder}")
        for _ in range(20):
            if ws.closed:
                break
            try:
                await ws.send_bytes(b"\x00" * 60_000)
            except ConnectionResetError:
                break
        assert await _closed(ws)
    finally:
        await ws.close()
        await http.close()
    assert server.app[keys.SIO]._binary_packet == {}  # nothing held for that client
    # The server is fine: two people still talk in their pair channel.
    pair = await server.pair_channel_id(1)
    mentee = await (await server.client("mentee1")).socket()
    mentor = await (await server.client("mentor1")).socket()
    sent = await mentee.send(pair, "still here")
    await mentor.wait_for("message", lambda m: m["id"] == sent["id"])


async def _refusal(server, token: str) -> dict | None:
    """Connect a socket with this session; None if accepted, else the connect_error data."""
    sock = SocketClient()
    refused: list[dict] = []
    sock.sio.on("connect_error", lambda data=None: refused.append(data))
    try:
        await sock.sio.connect(
            server.url,
            headers={"Cookie": f"{COOKIE}={token}"},
            transports=["websocket"],
            wait_timeout=CONNECT_WAIT,
        )
    except socketio.exceptions.ConnectionError:
        assert refused, "refused without a reason"
        return refused[0]
    server.test_sockets.append(sock)
    return None


@pytest.fixture
async def capped(data_dir):
    changes = {"max_sockets_per_user": 3, "max_sockets_per_address": 5}
    async with running_server(data_dir, config_changes=changes) as server:
        server.test_sockets = []
        yield server
        for sock in server.test_sockets:
            await sock.close()


async def test_sockets_per_user_and_per_address_are_capped(capped):
    mentee = await capped.client("mentee1")
    mentor = await capped.client("mentor1")
    for _ in range(3):
        assert await _refusal(capped, mentee.token) is None
    refused = await _refusal(capped, mentee.token)
    assert refused["data"]["code"] == "rate_limited"
    assert "3 connections open already" in refused["message"]

    assert await _refusal(capped, mentor.token) is None  # another person: fine (4 here)
    assert await _refusal(capped, mentor.token) is None  # 5 from this address
    refused = await _refusal(capped, mentor.token)
    assert refused["data"]["code"] == "rate_limited"
    assert "Too many connections from your network" in refused["message"]

    await capped.test_sockets.pop(0).close()  # one of mentee1's closes: room for one more

    for _ in range(100):  # the server forgets the closed socket a moment later
        if await _refusal(capped, mentor.token) is None:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("a closed socket still counts against the address")


@pytest.fixture
async def clocked(data_dir):
    clock = FakeClock()
    async with running_server(data_dir, clock=clock) as server:
        server.fake_clock = clock
        yield server


def _message(channel_id: int, body: str) -> dict:
    return {"channel_id": channel_id, "body": body, "client_id": str(uuid.uuid4())}


async def test_a_burst_is_accepted_then_refused_and_refills_with_the_clock(clocked):
    lounge = await clocked.channel_id("mentee_lounge")
    flooder = await (await clocked.client("mentee1")).socket()
    other = await (await clocked.client("mentee2")).socket()
    before = await clocked.store.count_messages()
    for n in range(20):
        assert (await flooder.call("message:send", _message(lounge, f"burst {n}")))["ok"]
    refused = await flooder.call("message:send", _message(lounge, "one too many"))
    assert refused["error"]["code"] == "rate_limited"
    assert "too fast" in refused["error"]["message"]
    assert await clocked.store.count_messages() == before + 20  # the refused one changed nothing
    assert flooder.sio.connected

    # Another person is not slowed down by it.
    probe = await other.send(lounge, "unaffected")
    await flooder.wait_for("message", lambda m: m["id"] == probe["id"])

    clocked.fake_clock.advance(seconds=1)  # five tokens back
    for n in range(5):
        assert (await flooder.call("message:send", _message(lounge, f"later {n}")))["ok"]
    again = await flooder.call("message:send", _message(lounge, "sixth"))
    assert again["error"]["code"] == "rate_limited"


async def test_the_bucket_is_per_user_across_that_users_sockets(clocked):
    lounge = await clocked.channel_id("mentee_lounge")
    mentee = await clocked.client("mentee1")
    first, second = await mentee.socket(), await mentee.socket()
    for n in range(20):
        assert (await first.call("message:send", _message(lounge, f"from tab one {n}")))["ok"]
    refused = await second.call("message:send", _message(lounge, "from tab two"))
    assert refused["error"]["code"] == "rate_limited"


async def test_typing_has_its_own_small_bucket(clocked):
    lounge = await clocked.channel_id("mentee_lounge")
    sock = await (await clocked.client("mentee1")).socket()
    answers = [await sock.call("typing", {"channel_id": lounge}) for _ in range(4)]
    assert [a.get("ok") for a in answers[:3]] == [True, True, True]
    assert answers[3]["error"]["code"] == "rate_limited"
    assert (await sock.send(lounge, "typing does not use the message bucket"))["id"]


async def test_sustained_abuse_is_disconnected(clocked):
    lounge = await clocked.channel_id("mentee_lounge")
    flooder = await (await clocked.client("mentee1")).socket()
    bystander = await (await clocked.client("mentee2")).socket()
    answers = await asyncio.gather(
        *(
            flooder.call("message:send", _message(lounge, f"flood {n}"))
            for n in range(20 + ABUSE_LIMIT)
        )
    )
    codes = [a.get("error", {}).get("code") for a in answers]
    assert codes.count(None) == 20 and codes.count("rate_limited") == ABUSE_LIMIT
    await asyncio.wait_for(flooder.gone.wait(), 2)
    probe = await bystander.send(lounge, "still fine")
    assert probe["id"]
