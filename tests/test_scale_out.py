"""Two server processes on one database, with Redis carrying live events between them."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from .conftest import require_service
from .support import Server, eventually


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
        *(one.send(lounge, f"one {n}") for n in range(40)),
        *(two.send(lounge, f"two {n}") for n in range(40)),
    )
    seqs = sorted(m["seq"] for m in sent)
    assert seqs == list(range(start + 1, start + 81))
    changes = await one.call("channel:sync", {"channel_id": lounge, "since_seq": start})
    assert [m["seq"] for m in changes["changes"]] == seqs
