"""Helpers for the notification tests: mention markup, a person's notifications, a marker."""

from __future__ import annotations

import uuid
from typing import Any

from .support import Client


def mention(user: dict[str, Any] | Any) -> str:
    """The composer's markup for mentioning `user` (a JSON user or a stored User)."""
    user_id = user["id"] if isinstance(user, dict) else user.id
    name = user["name"] if isinstance(user, dict) else user.name
    return f"@[{name}](user:{user_id})"


def marker(label: str = "PAIRSECRET") -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}"


async def notifications_of(client: Client) -> dict[str, Any]:
    response = await client.get("/api/v1/notifications?limit=100")
    assert response.status == 200, await response.text()
    return await response.json()


async def start_clean(*clients: Client) -> None:
    """The demo programme's own messages notified people already: mark those read."""
    for client in clients:
        response = await client.post("/api/v1/notifications/read", {"all": True})
        assert response.status == 200, await response.text()


async def new_notifications(client: Client, *, since: int = 0) -> list[dict[str, Any]]:
    """The person's unread notifications (newest first)."""
    listed = await notifications_of(client)
    return [n for n in listed["notifications"] if not n["read"] and n["id"] > since]
