"""Two real `mentorspace serve` processes, each with its own data dir and port, sharing one
PostgreSQL database (made for the test, dropped after) and one Redis (under a channel name of
the test's own, so parallel workers never hear each other) behave as one server: people on
different nodes chat live, a reconnect to the other node syncs without gaps, presence is one
(and runs out when a node dies), ending a session on one node cuts its sockets on the other,
and a scheduled task is posted once though both schedulers run."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from bench import ServerProcess

import storage
from channels.clock import iso
from channels.demo import DEMO_PASSWORD, seed_demo
from server.auth import cookie_name

from . import databases
from .conftest import require_service
from .support import Client, SocketClient, email, eventually, free_port
from .test_operations import TOKEN, WITH_TOKEN, samples
from .test_scale_out import _redis_reachable

REDIS_URL = "redis://127.0.0.1:6379/0"
PRESENCE_SECONDS = 3  # short, so a killed node's word runs out within the test


@dataclass
class Node:
    """One `mentorspace serve` process; `client()` as for an in-process Server."""

    process: ServerProcess
    cookie: str = cookie_name(False)

    @property
    def url(self) -> str:
        return self.process.url

    async def client(self, handle: str, *, session: Client | None = None) -> Client:
        """Logged in as `handle`, or on this node with the session of `session` (a client of
        the same person on another node)."""
        jar = session.http.cookie_jar if session else aiohttp.CookieJar(unsafe=True)
        client = Client(self, aiohttp.ClientSession(self.url, cookie_jar=jar))  # type: ignore[arg-type]
        if session is not None:
            client.user = session.user
            return client
        login = {"email": email(handle), "password": DEMO_PASSWORD}
        response = await client.post("/api/v1/session", login)
        assert response.status == 200, await response.text()
        client.user = (await response.json())["user"]
        return client


@dataclass
class Cluster:
    root: Path
    database_url: str
    channel: str = field(default_factory=lambda: f"test-{uuid.uuid4()}")
    nodes: list[Node] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)

    async def start(self, count: int = 2) -> list[Node]:
        # each flag beside its value, as the command line reads (hence fmt: skip)
        flags = [
            "--database-url", self.database_url,
            "--redis-url", REDIS_URL,
            "--redis-channel", self.channel,
            "--secret", "shared-by-every-node-of-this-test",
            "--presence-seconds", str(PRESENCE_SECONDS),
            "--metrics-token", TOKEN,
        ]  # fmt: skip
        started = []
        for n in range(count):
            data_dir = self.root / f"node{len(self.nodes) + n}" / "data"
            data_dir.mkdir(parents=True)
            started.append(Node(ServerProcess(data_dir, free_port())))
        self.nodes += started
        await asyncio.gather(*(asyncio.to_thread(n.process.start, 60, flags) for n in started))
        return started

    async def client(self, node: Node, handle: str, **kwargs: Any) -> Client:
        made = await node.client(handle, **kwargs)
        self.clients.append(made)
        return made

    async def stop(self) -> None:
        for client in self.clients:
            await client.close()
        await asyncio.gather(*(asyncio.to_thread(n.process.stop) for n in self.nodes))


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    require_service("PostgreSQL", await asyncio.to_thread(databases.postgres_reachable))
    require_service("Redis on 127.0.0.1:6379", await _redis_reachable())
    name, url = await asyncio.to_thread(databases.create_database)
    made = Cluster(tmp_path, url)
    try:
        store = await storage.open_store(tmp_path / "seed", url)
        try:
            await seed_demo(store, await storage.open_file_store(tmp_path / "seed"))
        finally:
            await store.close()
        yield made
    finally:
        await made.stop()
        await asyncio.to_thread(databases.drop_database, name)
        redis = aioredis.Redis.from_url(REDIS_URL)
        try:
            left = [key async for key in redis.scan_iter(match=f"{made.channel}*")]
            if left:
                await redis.delete(*left)
        finally:
            await redis.aclose()


async def pair_channel_of(client: Client) -> int:
    listing = (await (await client.get("/api/v1/channels")).json())["channels"]
    return next(c["id"] for c in listing if c["kind"] == "pair")


async def partner_listed_online(client: Client) -> bool:
    listing = (await (await client.get("/api/v1/channels")).json())["channels"]
    return next(c for c in listing if c["kind"] == "pair")["partner"]["online"]


async def test_two_people_on_different_nodes_chat_and_a_reconnect_elsewhere_syncs(cluster):
    one, two = await cluster.start()
    mentee = await cluster.client(one, "mentee1")
    mentor = await cluster.client(two, "mentor1")
    pair = await pair_channel_of(mentee)
    mentee_socket, mentor_socket = await mentee.socket(), await mentor.socket()

    hello = await mentee_socket.send(pair, "hello from node one")
    await mentor_socket.wait_for("message", lambda m: m["id"] == hello["id"])
    reply = await mentor_socket.send(pair, "hello from node two")
    await mentee_socket.wait_for("message", lambda m: m["id"] == reply["id"])

    await mentee_socket.close()  # she goes; her partner writes on
    missed = [await mentor_socket.send(pair, f"while you were away {n}") for n in range(5)]
    mentee_elsewhere = await cluster.client(two, "mentee1", session=mentee)
    back = await mentee_elsewhere.socket()  # the same session, on the other node
    synced = await back.call("channel:sync", {"channel_id": pair, "since_seq": reply["seq"]})
    assert [m["id"] for m in synced["changes"]] == [m["id"] for m in missed]
    assert [m["seq"] for m in synced["changes"]] == list(
        range(reply["seq"] + 1, reply["seq"] + 1 + len(missed))
    )
    live = await mentor_socket.send(pair, "and live again")
    await back.wait_for("message", lambda m: m["id"] == live["id"])


async def test_presence_is_one_across_nodes_and_runs_out_when_a_node_dies(cluster):
    one, two = await cluster.start()
    mentee = await cluster.client(one, "mentee1")
    on_one = await mentee.socket()
    on_two = await (await cluster.client(two, "mentee1", session=mentee)).socket()
    mentor = await cluster.client(two, "mentor1")
    mentor_id = mentor.user["id"]

    async def said_since(marks: dict[SocketClient, int], online: bool, timeout=10.0) -> None:
        """Each socket heard it after its mark (what it had heard before the step)."""
        wanted = {"user_id": mentor_id, "online": online}
        for sock, mark in marks.items():
            await eventually(
                lambda s=sock, m=mark: wanted in s.received("presence")[m:], timeout=timeout
            )

    def marks() -> dict[SocketClient, int]:
        return {sock: len(sock.received("presence")) for sock in (on_one, on_two)}

    before = marks()
    mentor_socket = await mentor.socket()
    await said_since(before, True)  # "came online" reaches her on both nodes
    assert await partner_listed_online(mentee)  # asked on node one; the mentor is on two

    before = marks()
    await mentor_socket.close()
    await said_since(before, False)  # "went offline" reaches her on both nodes
    await eventually(lambda: not_(partner_listed_online(mentee)))

    await (await cluster.client(two, "mentor1")).socket()  # back, on node two
    await eventually(lambda: partner_listed_online(mentee))
    before = marks()
    await asyncio.to_thread(two.process.kill)  # node two dies: nothing is said, nothing closed
    del before[on_two]  # her socket on node two died with it
    await said_since(before, False, timeout=PRESENCE_SECONDS * 5)  # once two's word ran out
    assert not await partner_listed_online(mentee)


async def not_(answer) -> bool:
    return not await answer


async def _gone(sock: SocketClient) -> None:
    await asyncio.wait_for(sock.gone.wait(), 10)
    assert not sock.sio.connected


@pytest.mark.long
async def test_logging_out_or_disabling_on_one_node_cuts_the_socket_on_the_other(cluster):
    one, two = await cluster.start()
    mentee = await cluster.client(one, "mentee1")
    listener = await (await cluster.client(two, "mentee1", session=mentee)).socket()
    partner = await (await cluster.client(two, "mentor1")).socket()
    pair = await pair_channel_of(mentee)
    assert (await mentee.delete("/api/v1/session")).status == 200  # on node one
    await _gone(listener)
    marker = await partner.send(pair, f"marker {uuid.uuid4()}")
    await partner.wait_for("message", lambda m: m["id"] == marker["id"])
    assert marker["id"] not in [m["id"] for m in listener.received("message")]

    mentee2 = await cluster.client(two, "mentee2")
    listening = await mentee2.socket()  # on node two; it never speaks
    coordinator = await cluster.client(one, "coordinator")
    disabled = await coordinator.patch(f"/api/v1/users/{mentee2.user['id']}", {"disabled": True})
    assert disabled.status == 200
    await _gone(listening)
    assert [t["reason"] for t in listening.received("session:ended")] == ["disabled"]


TIMER_GRAIN = 0.01  # seconds: how early a timed pass may begin (uvloop counts milliseconds)


async def _last_scheduler_pass(node: Node) -> float:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{node.url}/metrics", headers=WITH_TOKEN) as response:
            found = samples(await response.text())
    key = ("mentorspace_runner_last_pass_timestamp_seconds", (("runner", "scheduler"),))
    return found.get(key, 0.0)


async def test_a_scheduled_task_is_posted_once_with_both_schedulers_running(cluster):
    one, two = await cluster.start()
    coordinator = await cluster.client(one, "coordinator")
    mentee = await cluster.client(two, "mentee1")
    watcher = await mentee.socket()
    pair = await pair_channel_of(mentee)
    pair_id = next(
        p["id"]
        for p in (await (await coordinator.get("/api/v1/pairs")).json())["pairs"]
        if p["channel_id"] == pair
    )
    created = await coordinator.post(
        "/api/v1/tasks", {"title": "Share your CV draft", "body": "Upload it."}
    )
    task_id = (await created.json())["task"]["id"]
    due = datetime.now(UTC) + timedelta(seconds=2)
    rule = {"at": iso(due), "pairs": [pair_id]}
    scheduled = await coordinator.post(f"/api/v1/tasks/{task_id}/schedules", rule)
    assert scheduled.status == 201, await scheduled.text()

    posted = await watcher.wait_for("message", lambda m: m["kind"] == "task", timeout=15)
    # Both schedulers made a pass once the task fell due.  uvloop's timers count whole
    # milliseconds, so a pass timed for the moment can begin up to one early: one that finds the
    # task not yet due passes again at once, and one that finds it posted by the other node has
    # nothing left to do (repeat run 4 on 8dfd6ef waited 15 s for a later pass that never came).
    for node in (one, two):
        await eventually(
            lambda n=node: _passed_since(n, due.timestamp() - TIMER_GRAIN), timeout=15, every=0.2
        )
    history = await (await mentee.get(f"/api/v1/channels/{pair}/messages?limit=200")).json()
    tasks = [m for m in history["messages"] if m["kind"] == "task"]
    assert [t["id"] for t in tasks] == [posted["id"]]
    assert [m["id"] for m in watcher.received("message") if m["kind"] == "task"] == [posted["id"]]


async def _passed_since(node: Node, moment: float) -> bool:
    with contextlib.suppress(aiohttp.ClientError):
        return await _last_scheduler_pass(node) >= moment
    return False
