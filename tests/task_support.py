"""Helpers for the task tests: write a template, post it, find a pair, run the scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from channels.clock import Clock
from server import keys

from .support import DAYS_AWAKE, Client, Server


@asynccontextmanager
async def running(data_dir: Path, clock: Clock) -> AsyncIterator[Server]:
    """A real server on `data_dir` with `clock` (sessions that last the days a test moves it
    on); closes every client it made, then stops."""
    server = await Server(data_dir, clock=clock, config_changes=DAYS_AWAKE).start()
    clients: list[Client] = []
    make_client = server.client

    async def tracked_client(*args: Any, **kwargs: Any) -> Client:
        clients.append(await make_client(*args, **kwargs))
        return clients[-1]

    server.client = tracked_client  # type: ignore[method-assign]
    try:
        yield server
    finally:
        for client in clients:
            await client.close()
        await server.stop()


async def expect(response, status: int) -> dict[str, Any]:
    body = await response.json()
    assert response.status == status, body
    return body


async def create_task(coordinator: Client, **fields: Any) -> int:
    payload = {"title": "Share your CV draft", "body": "Upload it and ask for **one** change."}
    body = await expect(await coordinator.post("/api/v1/tasks", payload | fields), 201)
    return body["task"]["id"]


async def post_now(coordinator: Client, task_id: int, target: dict[str, Any]) -> dict[str, Any]:
    return await expect(await coordinator.post(f"/api/v1/tasks/{task_id}/post-now", target), 201)


async def pair_id(server: Server, n: int) -> int:
    pair = await server.store.load_pair_by_channel(await server.pair_channel_id(n))
    return pair.id


async def task_messages(client: Client, channel_id: int) -> list[dict[str, Any]]:
    history = await expect(
        await client.get(f"/api/v1/channels/{channel_id}/messages?limit=200"), 200
    )
    return [m for m in history["messages"] if m["kind"] == "task"]


def scheduler(server: Server):
    return server.app[keys.SCHEDULER]
