"""Helpers for the goals and satisfaction tests: add a goal, read a page's form token, post a
form as a browser without JavaScript does."""

from __future__ import annotations

import re
from typing import Any

from .support import Client, Server


async def expect(response, status: int) -> dict[str, Any]:
    body = await response.json()
    assert response.status == status, body
    return body


async def add_goal(client: Client, channel_id: int, title: str, *milestones: str, **more: Any):
    """The new goal (201) and its card."""
    payload = {"title": title, "milestones": list(milestones), **more}
    body = await expect(await client.post(f"/api/v1/channels/{channel_id}/goals", payload), 201)
    return body["goal"], body["message"]


async def goals_of(client: Client, channel_id: int) -> dict[str, Any]:
    return await expect(await client.get(f"/api/v1/channels/{channel_id}/goals"), 200)


async def csrf(client: Client, path: str = "/") -> str:
    page = await (await client.get(path)).text()
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


async def form(client: Client, path: str, fields: dict[str, Any], *, token: str | None = None):
    """Post a form (the page's CSRF token first) without following the redirect."""
    data = {"csrf_token": token or await csrf(client), **{k: str(v) for k, v in fields.items()}}
    return await client.http.post(path, data=data, allow_redirects=False)


async def pair_of(server: Server, n: int):
    return await server.store.load_pair_by_channel(await server.pair_channel_id(n))


async def end_pair(server: Server, n: int) -> dict[str, Any]:
    coordinator = await server.client("coordinator")
    pair = await pair_of(server, n)
    return await expect(await coordinator.delete(f"/api/v1/pairs/{pair.id}"), 200)
