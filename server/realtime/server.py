"""The socket server: authenticate on connect (and join the rooms), count presence, and run
every client event behind one guard (rate limit, one JSON object, the session checked again,
every failure an error ACK).  The handlers themselves are in server/realtime/handlers.py."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import socketio
from aiohttp import web

from channels.chat import directory
from channels.errors import Invalid, MentorspaceError, RateLimited, Unauthenticated
from channels.languages import N_
from channels.people.accounts import load_session_user, token_hash
from server import keys
from server.auth import client_address, session_token
from server.errors import internal_error, said_to
from server.realtime.emit import emit_presence, emit_presence_of, set_online
from server.realtime.fanout import FanoutManager
from server.realtime.limits import TOO_FAST, JsonOnlyServer, check_socket_room
from server.realtime.orders import RedisManager
from server.realtime.rooms import enter_rooms
from storage.records import User

log = logging.getLogger(__name__)

MAX_PAYLOAD = 64 * 1024
SESSION_RECHECK = 1.0  # seconds, on the injected clock


def create_socket_server(
    app: web.Application, events: Mapping[str, Handler]
) -> socketio.AsyncServer:
    """The socket server of the app, with `events` (name -> handler) behind the guard."""
    config = app[keys.CONFIG]
    manager = (
        RedisManager(config.redis_url, channel=config.redis_channel)
        if config.redis_url
        else FanoutManager()
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
            # connect_error {message, data: {code, message}}, in the programme's language
            said = said_to(app, None, error)
            raise socketio.exceptions.ConnectionRefusedError(said.message, said.as_dict()) from None
        # Counted at once (no await since the check), so parallel connects cannot overshoot.
        first = presence.add(user.id, sid, token_hash=token_hash(token or ""), address=address)
        try:
            await sio.save_session(sid, {"token": token, "user_id": user.id})
            channel_ids = await directory.readable_channel_ids(app[keys.STORE], user)
            await enter_rooms(sio, sid, user, channel_ids)
        except BaseException:
            presence.remove(user.id, sid)
            raise
        if first:  # on this node: said to the database, and everywhere if first anywhere
            await set_online(app, user.id, online=True)
            if await app[keys.ONLINE].sync(user.id) == 1:
                await emit_presence(app, user.id, channel_ids, online=True)

    async def disconnect(sid: str, reason: Any = None) -> None:
        app[keys.EVENT_LIMITS].forget_socket(sid)
        session = await sio.get_session(sid)
        user_id = session.get("user_id")
        presence = app[keys.PRESENCE]
        if user_id is None or not presence.remove(user_id, sid) or presence.closing:
            return
        await set_online(app, user_id, online=False)  # the last socket on this node
        if await app[keys.ONLINE].sync(user_id) == -1:  # and the last anywhere
            await emit_presence_of(app, user_id, online=False)

    sio.on("connect", connect)
    sio.on("disconnect", disconnect)
    for name, handler in events.items():
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
        user: User | None = None  # whose language an error is said in, once known
        try:
            _check_rate(app, sio, sid, name)
            if len(args) != 1:
                raise Invalid(N_("Send exactly one JSON object with this event."))
            user = await _session_user(app, sio, sid)
            result = await handler(Call(app, sio, sid, user), args[0])
        except MentorspaceError as error:
            app[keys.METRICS].count_event(name, "refused")
            return {"error": said_to(app, user, error).as_dict()}
        except Exception:
            log.exception("socket event %s failed", name)
            app[keys.METRICS].count_event(name, "failed")
            return {"error": said_to(app, user, internal_error()).as_dict()}
        app[keys.METRICS].count_event(name, "ok")
        return {"ok": True, **(result or {})}

    return run


def _check_rate(app: web.Application, sio: socketio.AsyncServer, sid: str, name: str) -> None:
    """Take a token for this event from the socket's and the user's bucket, or refuse it
    (nothing runs); a socket that keeps going after ABUSE_LIMIT refusals in a row is hung up."""
    limits, known = app[keys.EVENT_LIMITS], app[keys.PRESENCE].socket(sid)
    if limits.allow(sid, None if known is None else known.user_id, name):
        return
    if limits.abusive(sid):
        log.info("hanging up a socket that kept sending too fast")
        # After the ACKs still on their way (accepted events may still be writing): a
        # refusal costs little, and the limit already stops anything from running.
        sio.start_background_task(_hang_up, sio, sid)
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
