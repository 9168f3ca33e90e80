"""Two server processes on one database, with Redis carrying live events between them."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
import uuid

import aiohttp
import pytest
from redis.asyncio.connection import AbstractConnection

from server.realtime.server import RedisManager

from .conftest import require_service
from .support import Client, Server, eventually
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
