"""Two server processes on one database, with Redis carrying live events between them."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
import uuid

import aiohttp
import pytest
from redis.asyncio.connection import AbstractConnection

from channels.chat.directory import readable_channel_ids
from server import keys
from server.realtime.server import RedisManager

from .conftest import require_service
from .support import Client, Server, eventually, free_port
from .test_socket_sessions import assert_cut


async def _redis_reachable() -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", 6379), 1)
    except (OSError, TimeoutError):
        return False
    writer.write(b"PING\r\n")
    await writer.drain()
    answer = await asyncio.wait_for(reader.readline(), 1)
    writer.close()
    await writer.wait_closed()
    return answer.startswith(b"+PONG")


@pytest.fixture
async def two_nodes(data_dir):
    require_service("Redis on 127.0.0.1:6379", await _redis_reachable())
    shared = {"redis_url": "redis://127.0.0.1:6379/0", "redis_channel": f"test-{uuid.uuid4()}"}
    first = await Server(data_dir, config_changes=shared).start()
    second = await Server(data_dir, config_changes=shared).start()
    clients = []

    async def client(node: Server, handle: str):
        made = await node.client(handle)
        clients.append(made)
        return made

    yield first, second, client
    for made in clients:
        await made.close()
    await first.stop()
    await second.stop()
    # engine.io's ping task of each socket hung up at shutdown sleeps on: ended here, so that
    # nothing of these nodes lives into a later test.
    outliving = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in outliving:
        task.cancel()
    await asyncio.gather(*outliving, return_exceptions=True)
    assert_no_redis_left_open()


def assert_no_redis_left_open() -> None:
    """Once both nodes stopped, no connection to Redis may be left open: the loop would hold
    it until it closes, and the garbage collector would then warn in whichever later test it
    ran.  Where each was made shows with `python -X tracemalloc=25 -m pytest`."""
    gc.collect()
    still_open = [
        conn
        for conn in gc.get_objects()
        if isinstance(conn, AbstractConnection) and conn.is_connected
    ]
    made = [tracemalloc.get_object_traceback(conn) for conn in still_open]
    assert still_open == [], ["\n".join(t.format()) for t in made if t is not None]


async def _until_nodes_hear_each_other(one, other, channel_id: int) -> None:
    """Both managers subscribe to Redis in the background: type until the other node hears."""

    async def heard() -> bool:
        await one.call("typing", {"channel_id": channel_id})
        return bool(other.received("typing"))

    await eventually(heard, every=0.5)  # typing is rate-limited: no faster


async def test_a_message_sent_on_one_node_reaches_a_client_on_the_other(two_nodes):
    first, second, client = two_nodes
    pair = await first.pair_channel_id(1)
    mentee_client = await client(first, "mentee1")
    mentor_client = await client(second, "mentor1")
    mentee, mentor = await mentee_client.socket(), await mentor_client.socket()
    await _until_nodes_hear_each_other(mentee, mentor, pair)

    sent = [await mentee.send(pair, f"across nodes {n}") for n in range(5)]
    for message in sent:
        await mentor.wait_for("message", lambda m, i=message["id"]: m["id"] == i)
    reply = await mentor.send(pair, "received on node two")
    await mentee.wait_for("message", lambda m: m["id"] == reply["id"])

    seqs = [m["seq"] for m in [*sent, reply]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


async def test_both_nodes_writing_at_once_keep_seq_gapless(two_nodes):
    first, second, client = two_nodes
    lounge = await first.channel_id("mentor_lounge")
    one = await (await client(first, "mentor1")).socket()
    two = await (await client(second, "mentor2")).socket()
    start = (await first.store.load_channel(lounge)).last_seq
    sent = await asyncio.gather(
        *(one.send(lounge, f"one {n}") for n in range(20)),  # the burst a socket may send
        *(two.send(lounge, f"two {n}") for n in range(20)),
    )
    seqs = sorted(m["seq"] for m in sent)
    assert seqs == list(range(start + 1, start + 41))
    changes = await one.call("channel:sync", {"channel_id": lounge, "since_seq": start})
    assert [m["seq"] for m in changes["changes"]] == seqs


async def test_disabling_on_one_node_cuts_a_listening_socket_on_the_other(two_nodes):
    first, second, client = two_nodes
    pair = await first.pair_channel_id(1)
    mentee = await client(second, "mentee1")
    listener = await mentee.socket()  # on node two; it never speaks
    partner = await (await client(second, "mentor1")).socket()
    coordinator = await client(first, "coordinator")
    response = await coordinator.patch(f"/api/v1/users/{mentee.user['id']}", {"disabled": True})
    assert response.status == 200
    await assert_cut(listener, partner, pair)
    assert [t["reason"] for t in listener.received("session:ended")] == ["disabled"]


async def test_logging_out_on_one_node_cuts_that_sessions_socket_on_the_other(two_nodes):
    first, second, client = two_nodes
    pair = await first.pair_channel_id(1)
    mentee = await client(first, "mentee1")
    other_node = Client(
        second, aiohttp.ClientSession(second.url, cookie_jar=mentee.http.cookie_jar)
    )
    listener = await other_node.socket()  # the same session, on node two
    other_session = await (await client(second, "mentee1")).socket()
    partner = await (await client(second, "mentor1")).socket()
    assert (await mentee.delete("/api/v1/session")).status == 200
    try:
        await assert_cut(listener, partner, pair, alive=other_session)
    finally:
        await other_node.close()


async def test_the_redis_manager_closes_every_client_it_made():
    """python-socketio's manager makes a new client when its listener first runs, even if a
    publish connected a moment before: both must be closed on shutdown, or their sockets
    outlive the app (and warn in whichever test the garbage collector runs)."""
    require_service("Redis on 127.0.0.1:6379", await _redis_reachable())
    manager = RedisManager("redis://127.0.0.1:6379/0", channel=f"test-{uuid.uuid4()}")
    manager._redis_connect()  # as a publish does
    await manager.redis.ping()
    manager._redis_connect()  # as the listener's first pass does
    await manager.redis.ping()
    await manager.aclose()
    del manager
    assert_no_redis_left_open()


async def test_joining_and_leaving_on_one_node_moves_the_sockets_on_the_other(two_nodes):
    """Rooms move on every node: after leaving a community through node one, a socket of the
    same person on node two hears nothing more of it (a barrier in a room it keeps)."""
    first, second, client = two_nodes
    coordinator = await client(first, "coordinator")
    created = await coordinator.post("/api/v1/communities", {"name": "Finance", "topic": "Money"})
    community = (await created.json())["community"]["id"]
    lounge = await first.channel_id("mentor_lounge")
    mentor = await client(first, "mentor1")
    listener = await (await client(second, "mentor1")).socket()  # same person, node two
    poster = await (await client(first, "mentor2")).socket()
    assert (
        await (await client(first, "mentor2")).post(f"/api/v1/communities/{community}/membership")
    ).status == 200

    assert (await mentor.post(f"/api/v1/communities/{community}/membership")).status == 200
    welcome = await poster.send(community, "welcome")
    await listener.wait_for("message", lambda m: m["id"] == welcome["id"])

    assert (await mentor.delete(f"/api/v1/communities/{community}/membership")).status == 200
    marker = await poster.send(community, f"marker {uuid.uuid4()}")
    barrier = await poster.send(lounge, "barrier")
    await listener.wait_for("message", lambda m: m["id"] == barrier["id"])
    assert marker["id"] not in [m["id"] for m in listener.received("message")]


async def test_presence_is_one_across_nodes(two_nodes):
    """A partner on the other node is listed online; one more socket on another node says
    nothing new, and "went offline" comes once, when the last socket anywhere closes."""
    first, second, client = two_nodes
    pair = await first.pair_channel_id(1)
    mentee = await client(first, "mentee1")
    watcher = await mentee.socket()
    mentor_on_two = await client(second, "mentor1")
    mentor_socket = await mentor_on_two.socket()
    mentor_id = mentor_on_two.user["id"]
    await watcher.wait_for("presence", lambda p: p == {"user_id": mentor_id, "online": True})

    async def listed_online() -> bool:
        listing = (await (await mentee.get("/api/v1/channels")).json())["channels"]
        return next(c for c in listing if c["id"] == pair)["partner"]["online"]

    assert await listed_online()  # asked on node one, the socket is on node two
    mentor_on_one = await client(first, "mentor1")
    second_socket = await mentor_on_one.socket()
    await second_socket.close()  # the mentor is still online on node two
    await eventually(lambda: not first.app[keys.PRESENCE].is_online(mentor_id))
    await mentor_socket.close()
    await watcher.wait_for("presence", lambda p: p == {"user_id": mentor_id, "online": False})
    mentee_on_two = await (await client(second, "mentee1")).socket()
    for node_socket in (watcher, mentee_on_two):  # a barrier from each node
        barrier = await node_socket.send(pair, "barrier")
        await watcher.wait_for("message", lambda m, i=barrier["id"]: m["id"] == i)
    said = [p["online"] for p in watcher.received("presence") if p["user_id"] == mentor_id]
    shared = set(await readable_channel_ids(first.store, await first.user("mentee1")))
    shared &= set(await readable_channel_ids(first.store, await first.user("mentor1")))
    assert said == [True] * len(shared) + [False] * len(shared)  # once to each channel room
    assert not await listed_online()


async def test_a_node_that_stops_says_its_people_offline_on_the_others(data_dir):
    require_service("Redis on 127.0.0.1:6379", await _redis_reachable())
    shared = {"redis_url": "redis://127.0.0.1:6379/0", "redis_channel": f"test-{uuid.uuid4()}"}
    first = await Server(data_dir, config_changes=shared).start()
    second = await Server(data_dir, config_changes=shared).start()
    mentee = await first.client("mentee1")
    mentor = await second.client("mentor1")
    try:
        watcher = await mentee.socket()
        await mentor.socket()
        mentor_id = mentor.user["id"]
        await watcher.wait_for("presence", lambda p: p == {"user_id": mentor_id, "online": True})
        stopping = asyncio.create_task(second.stop())  # as on SIGTERM
        await watcher.wait_for("presence", lambda p: p == {"user_id": mentor_id, "online": False})
        await stopping  # (aiohttp waits a few seconds for the hung-up client's connection)
        assert await first.app[keys.ONLINE].online_among([mentor_id]) == set()
    finally:
        await mentee.close()
        await mentor.close()
        await first.stop()
        await second.stop()
    outliving = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in outliving:
        task.cancel()
    await asyncio.gather(*outliving, return_exceptions=True)
    assert_no_redis_left_open()


async def test_a_node_whose_redis_is_down_still_serves_its_own_sockets(data_dir):
    """Redis unreachable (a port nobody listens on): people still connect, chat with those on
    the same node, and the channel list answers from this node's own sockets."""
    nowhere = {"redis_url": f"redis://127.0.0.1:{free_port()}/0", "redis_channel": "nowhere"}
    alone = await Server(data_dir, config_changes=nowhere).start()
    mentee, mentor = await alone.client("mentee1"), await alone.client("mentor1")
    try:
        pair = await alone.pair_channel_id(1)
        mentee_socket, mentor_socket = await mentee.socket(), await mentor.socket()
        sent = await mentor_socket.send(pair, "still here")
        await mentee_socket.wait_for("message", lambda m: m["id"] == sent["id"])
        listing = (await (await mentee.get("/api/v1/channels")).json())["channels"]
        assert next(c for c in listing if c["id"] == pair)["partner"]["online"] is True
    finally:
        await mentee.close()
        await mentor.close()
        await alone.stop()
