"""socket.io: authenticate on connect, one thin handler per client event, and the emits that
follow a commit.  Every handler is listed in EVENTS (and documented in docs/protocol.md)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import socketio
from aiohttp import web

from channels.chat import directory, messages
from channels.chat.wire import (
    changes_json,
    history_json,
    message_json,
    read_position_json,
    thread_json,
)
from channels.errors import Invalid, MentorspaceError, RateLimited, Unauthenticated
from channels.input import check_id, check_object
from channels.people.accounts import load_session_user, token_hash
from channels.policy import Action, check_allowed
from channels.tasks import posting as task_posting
from server import keys
from server.auth import client_address, session_token
from server.errors import internal_error
from server.realtime.limits import TOO_FAST, JsonOnlyServer, check_socket_room
from server.realtime.sessions import HangUp
from storage.records import Message, User

log = logging.getLogger(__name__)

MAX_PAYLOAD = 64 * 1024
SESSION_RECHECK = 1.0  # seconds, on the injected clock


def create_socket_server(app: web.Application) -> socketio.AsyncServer:
    config = app[keys.CONFIG]
    manager = (
        socketio.AsyncRedisManager(config.redis_url, channel=config.redis_channel)
        if config.redis_url
        else None
    )
    sio = JsonOnlyServer(
        async_mode="aiohttp",
        client_manager=manager,
        # None: only this server's own origin; a list: exactly those origins.
        cors_allowed_origins=list(config.allowed_origins) or None,
        max_http_buffer_size=MAX_PAYLOAD,
        logger=False,
        engineio_logger=False,
    )
    sio.attach(app)

    async def connect(sid: str, environ: dict, auth: Any = None) -> None:
        request: web.Request = environ["aiohttp.request"]
        token, address = session_token(request), client_address(request)
        presence = app[keys.PRESENCE]
        try:
            user = await load_session_user(app[keys.STORE], token, clock=app[keys.CLOCK])
            check_socket_room(presence, config, user.id, address)
        except MentorspaceError as error:
            # connect_error {message, data: {code, message}}
            raise socketio.exceptions.ConnectionRefusedError(
                error.message, error.as_dict()
            ) from None
        # Counted at once (no await since the check), so parallel connects cannot overshoot.
        first = presence.add(user.id, sid, token_hash=token_hash(token or ""), address=address)
        try:
            await sio.save_session(sid, {"token": token, "user_id": user.id})
            channel_ids = await directory.readable_channel_ids(app[keys.STORE], user)
            await sio.enter_room(sid, f"user:{user.id}")
            await sio.enter_room(sid, f"role:{user.role}")  # menu changes
            for channel_id in channel_ids:
                await sio.enter_room(sid, f"channel:{channel_id}")
        except BaseException:
            presence.remove(user.id, sid)
            raise
        if first:
            await emit_presence(app, user.id, channel_ids, online=True)

    async def disconnect(sid: str, reason: Any = None) -> None:
        app[keys.EVENT_LIMITS].forget_socket(sid)
        session = await sio.get_session(sid)
        user_id = session.get("user_id")
        if user_id is not None and app[keys.PRESENCE].remove(user_id, sid):
            user = await app[keys.STORE].load_user(user_id)
            if user is not None:
                channel_ids = await directory.readable_channel_ids(app[keys.STORE], user)
                await emit_presence(app, user_id, channel_ids, online=False)

    sio.on("connect", connect)
    sio.on("disconnect", disconnect)
    for name, handler in EVENTS.items():
        sio.on(name, _guarded(app, sio, name, handler))
    return sio


@dataclass(frozen=True)
class Call:
    """What a handler gets: the app, the socket, and the re-authenticated user."""

    app: web.Application
    sio: socketio.AsyncServer
    sid: str
    user: User

    @property
    def store(self):
        return self.app[keys.STORE]


Handler = Callable[[Call, Any], Awaitable[dict[str, Any] | None]]


def _guarded(app: web.Application, sio: socketio.AsyncServer, name: str, handler: Handler):
    """Authorise every event again, turn every failure into an error ACK, never crash."""

    async def run(sid: str, *args: Any) -> dict[str, Any] | None:
        try:
            _check_rate(app, sio, sid, name)
            if len(args) != 1:
                raise Invalid("Send exactly one JSON object with this event.")
            user = await _session_user(app, sio, sid)
            result = await handler(Call(app, sio, sid, user), args[0])
            return {"ok": True, **(result or {})}
        except MentorspaceError as error:
            return {"error": error.as_dict()}
        except Exception:
            log.exception("socket event %s failed", name)
            return {"error": internal_error().as_dict()}

    return run


def _check_rate(app: web.Application, sio: socketio.AsyncServer, sid: str, name: str) -> None:
    """Take a token for this event from the socket's and the user's bucket, or refuse it
    (nothing runs); a socket that keeps going after ABUSE_LIMIT refusals in a row is hung up."""
    limits, known = app[keys.EVENT_LIMITS], app[keys.PRESENCE].socket(sid)
    if limits.allow(sid, None if known is None else known.user_id, name):
        return
    if limits.abusive(sid):
        log.info("hanging up a socket that kept sending too fast")
        sio.start_background_task(_hang_up, sio, sid, 0.05)  # soon: each refusal costs too
    raise RateLimited(TOO_FAST)


async def _session_user(app: web.Application, sio: socketio.AsyncServer, sid: str) -> User:
    """The socket's user, checked against storage again at most every SESSION_RECHECK seconds
    of the injected clock.  Ending a session hangs up its sockets everywhere at once, and the
    sweep re-checks idle sockets; this bounds how long a busy socket could outlive either."""
    session = await sio.get_session(sid)
    now = app[keys.CLOCK].now()
    checked_at = session.get("checked_at")
    if (
        session.get("user") is None
        or checked_at is None
        or (now - checked_at).total_seconds() > SESSION_RECHECK
    ):
        try:
            user = await load_session_user(
                app[keys.STORE], session.get("token"), clock=app[keys.CLOCK]
            )
        except Unauthenticated:
            # Answer first, then hang up: the client learns why it was disconnected.
            sio.start_background_task(_hang_up, sio, sid)
            raise
        await sio.save_session(sid, {**session, "user": user, "checked_at": now})
        return user
    return session["user"]


async def _hang_up(sio: socketio.AsyncServer, sid: str, after: float = 0.5) -> None:
    """Hang up once the ACK that says why has gone out."""
    await sio.sleep(after)
    await sio.disconnect(sid)


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


ChangeMessage = Callable[..., Awaitable[messages.Changed]]


async def change_message(
    app: web.Application, change: ChangeMessage, user: User, payload: Any
) -> messages.Changed:
    """Run a domain call that changes messages (it checks everything first) and tell each
    changed message's room, after the commit."""
    result = await change(app[keys.STORE], user, payload, clock=app[keys.CLOCK])
    await emit_changes(app, result.changes)
    return result


async def emit_changes(app: web.Application, changed: list[Message]) -> None:
    """Tell every client in each message's channel room.  Call only after the commit."""
    for message in changed:
        await app[keys.SIO].emit(
            "message", message_json(message), room=f"channel:{message.channel_id}"
        )


async def emit_presence(
    app: web.Application, user_id: int, channel_ids: list[int], *, online: bool
) -> None:
    payload = {"user_id": user_id, "online": online}
    for channel_id in channel_ids:
        await app[keys.SIO].emit("presence", payload, room=f"channel:{channel_id}")


async def emit_read(app: web.Application, user_id: int, position: messages.ReadPosition) -> None:
    await app[keys.SIO].emit("read", read_position_json(position), room=f"user:{user_id}")


# handlers: parse, authorise (inside the domain call), call, emit, return the ACK


def _message_change(change: ChangeMessage) -> Handler:
    """The handler of an event that changes a message: call, emit after commit, ACK it."""

    async def handler(call: Call, data: Any) -> dict[str, Any]:
        result = await change_message(call.app, change, call.user, data)
        return {"message": message_json(result.message)}

    return handler


async def on_channel_sync(call: Call, data: Any) -> dict[str, Any]:
    return changes_json(await messages.sync_channel(call.store, call.user, data))


async def on_channel_history(call: Call, data: Any) -> dict[str, Any]:
    return history_json(await messages.load_history(call.store, call.user, data))


async def on_thread_load(call: Call, data: Any) -> dict[str, Any]:
    return thread_json(await messages.load_thread(call.store, call.user, data))


async def on_channel_read(call: Call, data: Any) -> dict[str, Any]:
    position = await messages.mark_read(call.store, call.user, data)
    await emit_read(call.app, call.user.id, position)
    return read_position_json(position)


async def on_channel_subscribe(call: Call, data: Any) -> dict[str, Any]:
    """Join the room of a channel that became readable after connecting (a new pair, a
    community just joined)."""
    channel_id = check_id(check_object(data), "channel_id")
    await check_allowed(call.store, call.user, channel_id, Action.READ)
    await call.sio.enter_room(call.sid, f"channel:{channel_id}")
    return {"channel_id": channel_id}


async def on_typing(call: Call, data: Any) -> None:
    payload = check_object(data)
    channel_id = check_id(payload, "channel_id")
    thread_id = check_id(payload, "thread_id", optional=True)
    await check_allowed(
        call.store, call.user, channel_id, Action.REPLY if thread_id else Action.POST
    )
    await call.sio.emit(
        "typing",
        {
            "channel_id": channel_id,
            "thread_id": thread_id,
            "user": {"id": call.user.id, "name": call.user.name},
        },
        room=f"channel:{channel_id}",
        skip_sid=call.sid,
    )


EVENTS: dict[str, Handler] = {
    "message:send": _message_change(messages.post_message),
    "message:edit": _message_change(messages.edit_message),
    "message:delete": _message_change(messages.delete_message),
    "reaction:toggle": _message_change(messages.toggle_reaction),
    "task:complete": _message_change(task_posting.complete_task),
    "channel:sync": on_channel_sync,
    "channel:history": on_channel_history,
    "channel:read": on_channel_read,
    "channel:subscribe": on_channel_subscribe,
    "thread:load": on_thread_load,
    "typing": on_typing,
}

SERVER_EVENTS = [
    "message", "typing", "presence", "read",
    "channel", "menu", "account", "session:ended",  # programme administration (issue 4)
]  # fmt: skip
