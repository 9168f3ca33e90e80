"""Every room name, and putting this process's sockets of a person in the rooms they may hear:
`channel:<id>` (a channel's readers), `user:<id>` (one person's sockets), `role:<role>`
(everyone of a role: menu changes).  Moving sockets of every node goes through
server/realtime/sessions.py, which asks the other nodes to run `refresh_rooms_here` too."""

from __future__ import annotations

from collections.abc import Iterable

import socketio
from aiohttp import web

from channels.chat import directory
from server import keys
from storage.records import User


def channel_room(channel_id: int) -> str:
    return f"channel:{channel_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def role_room(role: str) -> str:
    return f"role:{role}"


_MOVABLE = ("channel:", "role:")  # the rooms refresh_rooms_here moves a socket between


async def enter_rooms(
    sio: socketio.AsyncServer, sid: str, user: User, channel_ids: Iterable[int]
) -> None:
    """A socket that just connected: its user's room, its role's, and each readable channel's."""
    await sio.enter_room(sid, user_room(user.id))
    await sio.enter_room(sid, role_room(user.role))
    for channel_id in channel_ids:
        await sio.enter_room(sid, channel_room(channel_id))


async def enter_channel(sio: socketio.AsyncServer, sid: str, channel_id: int) -> None:
    await sio.enter_room(sid, channel_room(channel_id))


async def refresh_rooms_here(app: web.Application, user_id: int) -> None:
    """Put this process's sockets of the user in exactly the rooms they may now hear."""
    sio, presence = app[keys.SIO], app[keys.PRESENCE]
    sids = presence.sockets_of(user_id)
    if not sids:
        return
    user = await app[keys.STORE].load_user(user_id)
    if user is None:
        return
    wanted = {channel_room(i) for i in await directory.readable_channel_ids(app[keys.STORE], user)}
    wanted.add(role_room(user.role))
    for sid in sids:
        current = {r for r in sio.rooms(sid) if r.startswith(_MOVABLE)}
        for room in current - wanted:
            await sio.leave_room(sid, room)
        for room in wanted - current:
            await sio.enter_room(sid, room)
