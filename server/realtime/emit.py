"""After the commit, tell the sockets: every room name and every emit.  A changed message
reaches its channel's room, a read position the user's own sockets, presence and typing the
channel; a new or changed channel reaches the people concerned, an ended session or a
disabled account is cut off on every node, a changed role or membership moves the person's
sockets between rooms, a changed menu reaches the role.  Call these only after the commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from channels.chat import directory, messages
from channels.chat.lines import OpenedLine
from channels.chat.wire import channel_json, message_json, read_position_json
from channels.files.uploads import release_blobs
from channels.library import folders as library_folders
from channels.library.resources import ResourceChange
from channels.notify import inbox
from channels.notify.wire import notification_json
from channels.people.accounts import token_hash
from channels.programme import menu as role_menu
from channels.programme.wire import menu_item_json
from channels.readers import Reader
from server import keys
from server.realtime.rooms import channel_room, role_room, user_room
from server.realtime.sessions import HangUp
from storage.records import Channel, MenuItem, Message, Notification, Pair, Resource, User


async def refresh_rooms(app: web.Application, user_id: int) -> None:
    """Put the user's sockets, on every node, in exactly the rooms they may now hear (before
    any event emitted after this call reaches them)."""
    await app[keys.SESSION_SOCKETS].refresh_rooms(user_id)


ChangeMessage = Callable[..., Awaitable[messages.Changed]]


async def change_message(
    app: web.Application, change: ChangeMessage, user: User, payload: Any
) -> messages.Changed:
    """Run a domain call that changes messages (it checks everything first) and tell each
    changed message's room, after the commit; then let go of the blobs of files it detached
    (a deleted message's) that nothing refers to any more."""
    result = await change(app[keys.STORE], user, payload, clock=app[keys.CLOCK])
    await emit_changes(app, result.changes)
    if result.released:
        await release_blobs(app[keys.STORE], app[keys.FILES], result.released)
    return result


async def emit_changes(app: web.Application, changed: list[Message]) -> None:
    """Tell every client in each message's channel room, and each person a new message
    notified, in their own room.  Call only after the commit."""
    for message in changed:
        await app[keys.SIO].emit(
            "message", message_json(message), room=channel_room(message.channel_id)
        )
    for message in changed:
        # New, and it may have notified people (False: its write said it notified nobody).
        if message.seq == message.created_seq and message.notified is not False:
            await emit_notifications(app, message.id)


async def emit_notifications(app: web.Application, message_id: int) -> None:
    """Each notification a message made (or added to) goes to its recipient's room only."""
    await _send_notifications(app, await app[keys.STORE].list_message_notifications(message_id))


async def emit_notifications_by_id(app: web.Application, ids: list[int]) -> None:
    """Notifications made apart from any message's write (a questionnaire's), each to its
    recipient's room only."""
    if ids:
        await _send_notifications(app, await app[keys.STORE].load_notifications(ids))


async def _send_notifications(app: web.Application, notifications: list[Notification]) -> None:
    """Each in its recipient's language (the bell shows its sentence as a browser notification)."""
    if not notifications:
        return
    recipients = await app[keys.STORE].load_users([n.user_id for n in notifications])
    programme = app[keys.TEMPLATES].globals["programme_calendar"]
    for notification in notifications:
        recipient = recipients.get(notification.user_id)
        words = Reader.of(recipient.language if recipient else "", programme)
        await app[keys.SIO].emit(
            "notification",
            notification_json(notification, words),
            room=user_room(notification.user_id),
        )


async def emit_notifications_read(app: web.Application, user_id: int, unread: int) -> None:
    """The person marked notifications read (in one tab): every tab's bell follows."""
    await app[keys.SIO].emit("notifications:read", {"unread": unread}, room=user_room(user_id))


async def emit_presence(
    app: web.Application, user_id: int, channel_ids: list[int], *, online: bool
) -> None:
    payload = {"user_id": user_id, "online": online}
    for channel_id in channel_ids:
        await app[keys.SIO].emit("presence", payload, room=channel_room(channel_id))


async def emit_presence_of(app: web.Application, user_id: int, *, online: bool) -> None:
    """The person came online (their first socket on any node) or went offline (their last):
    to every channel they read."""
    user = await app[keys.STORE].load_user(user_id)
    if user is not None:
        channel_ids = await directory.readable_channel_ids(app[keys.STORE], user)
        await emit_presence(app, user_id, channel_ids, online=online)


async def emit_read(app: web.Application, user_id: int, position: messages.ReadPosition) -> None:
    await app[keys.SIO].emit("read", read_position_json(position), room=user_room(user_id))


async def emit_typing(
    app: web.Application, user: User, channel_id: int, thread_id: int | None, *, skip_sid: str
) -> None:
    """Everyone else in the channel (not the typing socket itself)."""
    await app[keys.SIO].emit(
        "typing",
        {
            "channel_id": channel_id,
            "thread_id": thread_id,
            "user": {"id": user.id, "name": user.name},
        },
        room=channel_room(channel_id),
        skip_sid=skip_sid,
    )


async def disconnect_session(
    app: web.Application,
    user_id: int,
    token: str | None = None,
    *,
    keep: str | None = None,
    reason: str | None = None,
) -> None:
    """The one way to hang up the sockets of ended sessions, on every node, at once.  Call it
    after the commit that ended them.  `token`: only that session's sockets (a cookie value);
    None: all the user's.  `keep`: a cookie value whose sockets stay ("end my other
    sessions").  `reason` ("disabled", "password"): told to each socket as `session:ended`
    first, so the page says why and stops reconnecting."""
    order = HangUp(
        user_id,
        token_hash=None if token is None else token_hash(token),
        keep_hash=None if keep is None else token_hash(keep),
        reason=reason,
    )
    await app[keys.SESSION_SOCKETS].end(order)


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
            room=user_room(me),
        )


async def emit_channel_to(
    app: web.Application, channel: Channel, user_ids: Iterable[int], *, is_member: bool
) -> None:
    for user_id in user_ids:
        await refresh_rooms(app, user_id)
        await app[keys.SIO].emit(
            "channel", {**channel_json(channel), "is_member": is_member}, room=user_room(user_id)
        )


async def emit_new_line(app: web.Application, opened: OpenedLine) -> None:
    """A coordinator line was made: its participant and every coordinator hear it now."""
    if not opened.created:
        return
    await emit_channel_to(app, opened.channel, [opened.owner.id], is_member=True)
    coordinators = await app[keys.STORE].list_enabled_ids("coordinator")
    await emit_channel_to(app, opened.channel, coordinators, is_member=False)


async def emit_channel_changed(app: web.Application, channel: Channel) -> None:
    """A renamed or archived channel, to everyone who hears it."""
    await app[keys.SIO].emit("channel", channel_json(channel), room=channel_room(channel.id))


async def end_sessions(app: web.Application, user_id: int, *, reason: str = "disabled") -> None:
    """The account's sessions were ended: its sockets on every node are told why and cut."""
    await disconnect_session(app, user_id, reason=reason)


async def emit_account(app: web.Application, user_id: int, payload: dict) -> None:
    await refresh_rooms(app, user_id)
    await app[keys.SIO].emit("account", payload, room=user_room(user_id))


async def cut_for_new_role(app: web.Application, user_id: int) -> None:
    """A socket holds its role's rooms and its user: after a role change, every socket of the
    person on every node is cut, and the page reconnects under the new role (the session
    stays)."""
    await disconnect_session(app, user_id)


async def emit_menu(app: web.Application, role: str, items: list[MenuItem]) -> None:
    await app[keys.SIO].emit(
        "menu",
        {"role": role, "items": [menu_item_json(i) for i in items if i.visible]},
        room=role_room(role),
    )


async def emit_resource_change(app: web.Application, change: ResourceChange) -> None:
    """A library resource changed or went: redraw the cards that share it, then let go of a
    removed file's blobs that nothing refers to any more."""
    await emit_changes(app, change.cards)
    if change.released:
        await release_blobs(app[keys.STORE], app[keys.FILES], change.released)


async def emit_library_news(app: web.Application, folder_id: int | None) -> None:
    """A resource appeared or moved into this folder: the open pages of every role that may
    see it draw their menus again, with the count of new resources."""
    store = app[keys.STORE]
    for role in sorted(library_folders.roles_seeing(folder_id, await store.list_folders())):
        await emit_menu(app, role, await role_menu.load_menu(store, role))


async def emit_new_resource(app: web.Application, resource: Resource) -> None:
    """A resource was added: the menus of the roles that see it, and the notifications its
    write made, each to its recipient's room only."""
    await emit_library_news(app, resource.folder_id)
    await _send_notifications(app, await app[keys.STORE].list_resource_notifications(resource.id))


async def emit_satisfaction_asked(app: web.Application, request_id: int | None) -> None:
    """A satisfaction request was made (a pair ended, or a coordinator asked): the
    notification of each person asked goes to their own room only."""
    if request_id is None:
        return
    found = await app[keys.STORE].list_satisfaction_notifications(request_id)
    await _send_notifications(app, found)


def poke_mailer(app: web.Application) -> None:
    mailer = app.get(keys.MAILER)
    if mailer is not None:
        mailer.poke()


async def set_online(app: web.Application, user_id: int, *, online: bool) -> None:
    """The person's first socket on this process opened, or their last one here closed: told
    to the database, so every process knows who is away (for pair notifications and mail).
    Not while the server stops: `forget_presence` has dropped this process's rows then."""
    if app[keys.PRESENCE].closing:
        return
    await inbox.set_online(
        app[keys.STORE],
        user_id,
        app[keys.SESSION_SOCKETS].node,
        online=online,
        now=app[keys.CLOCK].now(),
    )


async def forget_presence(app: web.Application) -> None:
    """Shutting down: this process's sockets are about to close; the people only this node
    had are said offline everywhere and its presence rows dropped now, while the store and
    Redis are still open; nothing more is written about them."""
    app[keys.PRESENCE].closing = True
    for user_id in await app[keys.ONLINE].leave():
        await emit_presence_of(app, user_id, online=False)
    await inbox.refresh_presence(
        app[keys.STORE], app[keys.SESSION_SOCKETS].node, [], app[keys.CLOCK].now()
    )
