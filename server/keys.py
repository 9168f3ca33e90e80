"""Typed application keys: everything the app holds, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

import jinja2
import socketio
from aiohttp import web

from channels.clock import Clock
from channels.questionnaires.sealing import Seal
from storage import Engine
from storage.files import FileStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from channels.errors import MentorspaceError
    from server.config import Config
    from server.operations.metrics import Metrics
    from server.realtime.limits import EventLimits
    from server.realtime.online import Online
    from server.realtime.presence import Presence
    from server.realtime.sessions import SessionSockets
    from server.runners.away import AwayMailer
    from server.runners.digests import DigestRunner
    from server.runners.mailer import Mailer
    from server.runners.questionnaires import QuestionnaireRunner
    from server.runners.scheduler import Scheduler
    from server.runners.uploads import UploadSweeper

CONFIG: web.AppKey[Config] = web.AppKey("config")
CLOCK: web.AppKey[Clock] = web.AppKey("clock", Clock)
STORE: web.AppKey[Engine] = web.AppKey("store")
FILES: web.AppKey[FileStore] = web.AppKey("files", FileStore)
UPLOAD_SWEEPER: web.AppKey[UploadSweeper] = web.AppKey("upload_sweeper")
SIO: web.AppKey[socketio.AsyncServer] = web.AppKey("sio", socketio.AsyncServer)
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates", jinja2.Environment)
PRESENCE: web.AppKey[Presence] = web.AppKey("presence")
ONLINE: web.AppKey[Online] = web.AppKey("online")
SECRET: web.AppKey[bytes] = web.AppKey("secret", bytes)
# The seal on anonymous answers waiting to be released, its keys made from SECRET once.
SEAL: web.AppKey[Seal] = web.AppKey("seal", Seal)
SCHEDULER: web.AppKey[Scheduler] = web.AppKey("scheduler")
QUESTIONNAIRES: web.AppKey[QuestionnaireRunner] = web.AppKey("questionnaires")
MAILER: web.AppKey[Mailer] = web.AppKey("mailer")
AWAY_MAILER: web.AppKey[AwayMailer] = web.AppKey("away_mailer")
DIGESTS: web.AppKey[DigestRunner] = web.AppKey("digests")
EVENT_LIMITS: web.AppKey[EventLimits] = web.AppKey("event_limits")
SESSION_SOCKETS: web.AppKey[SessionSockets] = web.AppKey("session_sockets")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
# The page an HTML request gets for an error (create_app sets pages.rendering.error_page), so
# that server.errors needs nothing of page rendering.
ERROR_PAGE: web.AppKey[Callable[[web.Request, MentorspaceError], web.Response]] = web.AppKey(
    "error_page"
)
