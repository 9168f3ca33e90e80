"""Typed application keys: everything the app holds, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

import jinja2
import socketio
from aiohttp import web

from channels.clock import Clock
from storage import SQLiteStore

if TYPE_CHECKING:
    from .config import Config
    from .mailer import Mailer
    from .presence import Presence
    from .scheduler import Scheduler
    from .socket_limits import EventLimits
    from .socket_sessions import SessionSockets

CONFIG: web.AppKey[Config] = web.AppKey("config")
CLOCK: web.AppKey[Clock] = web.AppKey("clock", Clock)
STORE: web.AppKey[SQLiteStore] = web.AppKey("store", SQLiteStore)
SIO: web.AppKey[socketio.AsyncServer] = web.AppKey("sio", socketio.AsyncServer)
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates", jinja2.Environment)
PRESENCE: web.AppKey[Presence] = web.AppKey("presence")
SECRET: web.AppKey[bytes] = web.AppKey("secret", bytes)
SCHEDULER: web.AppKey[Scheduler] = web.AppKey("scheduler")
MAILER: web.AppKey[Mailer] = web.AppKey("mailer")
EVENT_LIMITS: web.AppKey[EventLimits] = web.AppKey("event_limits")
SESSION_SOCKETS: web.AppKey[SessionSockets] = web.AppKey("session_sockets")
