"""hypothesis over every socket.io event (server/realtime.py EVENTS): arbitrary JSON, wrong
arities and plausible objects with wrong or real ids.  Every ACK is either ok or an error with
one of the known codes (never `internal`), anything but exactly one JSON object is `invalid`,
the server keeps serving another client, logs no failure, and its memory stays bounded.

The server runs as its own process (bench.ServerProcess, from scripts/) so its RSS is its own;
hypothesis runs in a worker thread and drives real socket.io clients on the test's loop."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from bench import ServerProcess
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.demo import DEMO_PASSWORD
from channels.errors import ERROR_CODES
from server.auth import COOKIE
from server.realtime.handlers import EVENTS

from . import databases
from .support import CONNECT_WAIT, SocketClient, email, free_port

EXAMPLES = 400  # in all, over every event: bounded, well under a minute
RSS_GROWTH_LIMIT_MB = 40  # generous: the run itself needs a few MB at most

# The keys each event reads (docs/protocol.md; "?": optional); an event not listed here gets
# any of them.
EVENT_KEYS = {
    "message:send": ["channel_id", "body", "client_id?", "thread_id?"],
    "message:edit": ["message_id", "body"],
    "message:delete": ["message_id"],
    "reaction:toggle": ["message_id", "emoji"],
    "task:complete": ["message_id", "done"],
    "channel:sync": ["channel_id", "since_seq"],
    "channel:history": ["channel_id", "before_id?", "limit?"],
    "channel:read": ["channel_id", "seq"],
    "channel:subscribe": ["channel_id"],
    "thread:load": ["message_id"],
    "typing": ["channel_id", "thread_id?"],
}
ALL_KEYS = sorted({key.rstrip("?") for keys in EVENT_KEYS.values() for key in keys})
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
JSON = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


def mostly(usual: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """`usual` three times in four, `rare` otherwise."""
    return st.integers(0, 3).flatmap(lambda n: rare if n == 0 else usual)


def good_values(key: str, ids: list[int]) -> st.SearchStrategy[Any]:
    """Values that may well be right for `key`: real ids, numbers near the edges, text."""
    if key == "body":
        return st.text(max_size=40) | st.sampled_from(["", "  ", "x" * 10_001, "**hi** <b>x</b>"])
    if key == "client_id":
        return st.uuids().map(str) | st.text(max_size=70)
    if key == "emoji":
        return st.sampled_from(["👍", "❤️", "🎉", "x", "<img>", "👍" * 40]) | st.text(max_size=4)
    if key == "done":
        return st.booleans()
    return st.sampled_from(ids) | st.integers(-1, 600) | st.just(2**53)


def payloads(event: str, ids: list[int]) -> st.SearchStrategy[Any]:
    """One payload: the event's own keys (good or odd values, some left out), or any JSON."""
    keys = EVENT_KEYS.get(event, [f"{key}?" for key in ALL_KEYS])

    def value(key: str) -> st.SearchStrategy[Any]:
        return mostly(good_values(key, ids), JSON)

    shaped = st.fixed_dictionaries(
        {key: value(key) for key in keys if not key.endswith("?")},
        optional={key.rstrip("?"): value(key.rstrip("?")) for key in keys if key.endswith("?")},
    )
    return mostly(shaped, st.dictionaries(st.sampled_from(ALL_KEYS), JSON, max_size=4) | JSON)


def arguments(event: str, ids: list[int]) -> st.SearchStrategy[tuple[Any, ...]]:
    """What a client sends after the event name: mostly one payload, sometimes none or more."""
    one = payloads(event, ids)
    return mostly(st.tuples(one), st.lists(one, max_size=3).map(tuple))


async def log_in(url: str, handle: str) -> tuple[str, dict[str, int]]:
    """A session cookie, and the id of one channel of each kind the person reads."""
    async with aiohttp.ClientSession(url, cookie_jar=aiohttp.DummyCookieJar()) as http:
        payload = {"email": email(handle), "password": DEMO_PASSWORD}
        async with http.post("/api/v1/session", json=payload) as response:
            assert response.status == 200, await response.text()
            cookie = response.cookies[COOKIE].value
        headers = {"Cookie": f"{COOKIE}={cookie}"}
        async with http.get("/api/v1/channels", headers=headers) as response:
            channels = (await response.json())["channels"]
    return cookie, {c["kind"]: c["id"] for c in channels}


async def connect(url: str, cookie: str) -> SocketClient:
    sock = SocketClient()
    await sock.sio.connect(
        url,
        headers={"Cookie": f"{COOKIE}={cookie}"},
        transports=["websocket"],
        wait_timeout=CONNECT_WAIT,
    )
    return sock


def check_ack(args: tuple[Any, ...], ack: Any) -> None:
    assert isinstance(ack, dict), ack
    if ack.get("ok") is True:
        assert len(args) == 1 and isinstance(args[0], dict), (args, ack)
        return
    assert set(ack) == {"error"}, ack
    assert ack["error"]["code"] in ERROR_CODES, ack
    assert isinstance(ack["error"]["message"], str) and ack["error"]["message"], ack
    if len(args) != 1 or not isinstance(args[0], dict):
        # The rate check comes first (it is the cheapest refusal); typing is 1/s whatever.
        assert ack["error"]["code"] in ("invalid", "rate_limited"), (args, ack)


@pytest.mark.long
async def test_any_payload_gets_a_known_answer_and_the_server_lives_on(data_dir, tmp_path):
    server = ServerProcess(data_dir, free_port())
    server.log_path = tmp_path / "server.log"
    # Message events unlimited, so the fuzz reaches the handlers rather than the rate limit
    # (tests/test_socket_limits.py tests the limits).
    flags = ["--message-rate", "1000000", "--message-burst", "1000000"]
    if url := databases.database_url(data_dir):  # the suite on PostgreSQL: the test's database
        flags += ["--database-url", url]
    await asyncio.to_thread(server.start, 30, flags)
    try:
        cookie, channels = await log_in(server.url, "mentee1")
        fuzzer = await connect(server.url, cookie)
        # Ids that exist: her channels, the others, and messages (one of hers, to edit).
        lounge = channels["mentee_lounge"]
        mine = await fuzzer.call(
            "message:send", {"channel_id": lounge, "body": "mine", "client_id": "fuzz-mine"}
        )
        assert mine.get("ok"), mine
        ids = [*range(1, mine["message"]["id"] + 2), mine["message"]["id"]]
        loop = asyncio.get_running_loop()
        rss_before = server.status_kb("VmRSS")

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def any_payload(data: st.DataObject) -> None:
            event = data.draw(st.sampled_from(sorted(EVENTS)), label="event")
            args = data.draw(arguments(event, ids), label="arguments")
            call = fuzzer.sio.call(event, args, timeout=10)
            ack = asyncio.run_coroutine_threadsafe(call, loop).result(15)
            check_ack(args, ack)

        await asyncio.to_thread(any_payload)

        rss_after = server.status_kb("VmRSS")
        assert (rss_after - rss_before) / 1024 < RSS_GROWTH_LIMIT_MB, (rss_before, rss_after)
        # Still serving: the fuzzing socket, and another person on a new one.
        assert fuzzer.sio.connected
        history = {"channel_id": lounge}
        answer = await fuzzer.call("channel:history", history)
        check_ack((history,), answer)  # ok, or rate_limited after the fuzz drained its bucket
        cookie, channels = await log_in(server.url, "mentor1")
        probe = await connect(server.url, cookie)
        ack = await probe.call(
            "message:send",
            {"channel_id": channels["pair"], "body": "still here", "client_id": "probe"},
        )
        assert ack.get("ok"), ack
        await probe.close()
        await fuzzer.close()
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert "Traceback" not in log and "failed" not in log, log[-3000:]
