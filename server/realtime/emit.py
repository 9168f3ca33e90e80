"""What coordinator actions do to open sockets, after the commit: a new or changed channel
reaches the people concerned, a disabled account is cut off, a changed role or membership
moves the person's sockets between rooms, a changed menu reaches the role."""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web

from channels.chat import directory
from channels.chat.wire import channel_json
from channels.programme.wire import menu_item_json
from server import keys
from server.realtime.sockets import disconnect_session
from storage.records import Channel, MenuItem, Pair


async def refresh_rooms(app: web.Application, user_id: int) -> None:
    """Put this process's sockets of the user in exactly the rooms they may now hear."""
    sio, presence = app[keys.SIO], app[keys.PRESENCE]
    sids = presence.sockets_of(user_id)
    if not sids:
        return
    user = await app[keys.STORE].load_user(user_id)
    if user is None:
        return
    wanted = {f"channel:{i}" for i in await directory.readable_channel_ids(app[keys.STORE], user)}
    wanted.add(f"role:{user.role}")
    for sid in sids:
        current = {r for r in sio.rooms(sid) if r.startswith(("channel:", "role:"))}
        for room in current - wanted:
            await sio.leave_room(sid, room)
        for room in wanted - current:
            await sio.enter_room(sid, room)


async def emit_pair_channel(app: web.Application, pair: Pair, channel: Channel) -> None:
    """Tell both people of a pair about their channel (new, or now read-only)."""
    people = await app[keys.STORE].load_users([pair.mentor_id, pair.mentee_id])
    for me, partner in ((pair.mentor_id, pair.mentee_id), (pair.mentee_id, pair.mentor_id)):
        await refresh_rooms(app, me)
        other = people.get(partner)
        await app[keys.SIO].emit(
            "channel",
            {
                **channel_json(channel),
                "is_member": True,
                "partner": None if other is None else {"id": other.id, "name": other.name},
            },
            room=f"user:{me}",
        )


async def emit_channel_to(
    app: web.Application, channel: Channel, user_ids: Iterable[int], *, is_member: bool
) -> None:
    for user_id in user_ids:
        await refresh_rooms(app, user_id)
        await app[keys.SIO].emit(
            "channel", {**channel_json(channel), "is_member": is_member}, room=f"user:{user_id}"
        )


async def emit_channel_changed(app: web.Application, channel: Channel) -> None:
    """A renamed or archived channel, to everyone who hears it."""
    await app[keys.SIO].emit("channel", channel_json(channel), room=f"channel:{channel.id}")


async def end_sessions(app: web.Application, user_id: int, *, reason: str = "disabled") -> None:
    """The account's sessions were ended: its sockets on every node are told why and cut."""
    await disconnect_session(app, user_id, reason=reason)


async def emit_account(app: web.Application, user_id: int, payload: dict) -> None:
    await refresh_rooms(app, user_id)
    await app[keys.SIO].emit("account", payload, room=f"user:{user_id}")


async def cut_for_new_role(app: web.Application, user_id: int) -> None:
    """A socket holds its role's rooms and its user: after a role change, every socket of the
    person on every node is cut, and the page reconnects under the new role (the session
    stays)."""
    await disconnect_session(app, user_id)


async def emit_menu(app: web.Application, role: str, items: list[MenuItem]) -> None:
    await app[keys.SIO].emit(
        "menu",
        {"role": role, "items": [menu_item_json(i) for i in items if i.visible]},
        room=f"role:{role}",
    )


def poke_mailer(app: web.Application) -> None:
    mailer = app.get(keys.MAILER)
    if mailer is not None:
        mailer.poke()
