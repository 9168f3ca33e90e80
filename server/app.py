"""`create_app(config)`: the whole server as one aiohttp application.  Nothing is built at
import time, so tests can run as many servers side by side as they like."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

import storage
from channels.chat.directory import set_up_programme
from channels.clock import SYSTEM_CLOCK, Clock
from channels.questionnaires.sealing import Seal
from server import keys
from server.api import chat as api
from server.api import feedback as feedback_api
from server.api import files as files_api
from server.api import flags as flags_api
from server.api import goals as goals_api
from server.api import library as library_api
from server.api import notify as notify_api
from server.api import people as account_api
from server.api import profile as profile_api
from server.api import programme as admin_api
from server.api import questionnaires as questionnaires_api
from server.api import research as research_api
from server.api import search as search_api
from server.api import tasks as tasks_api
from server.assets import add_static_routes
from server.auth import cross_site_guard
from server.config import Config
from server.errors import error_middleware
from server.operations import health
from server.operations import metrics as metrics_route
from server.operations.metrics import Metrics, watch_store
from server.pages import chat as channel_pages
from server.pages import communities as community_pages
from server.pages import digests as digest_pages
from server.pages import feedback as feedback_pages
from server.pages import files as file_pages
from server.pages import flags as flag_pages
from server.pages import goals as goal_pages
from server.pages import library as library_pages
from server.pages import notify as notify_pages
from server.pages import passwords as password_pages
from server.pages import people as account_pages
from server.pages import profiles as profile_pages
from server.pages import questionnaires as questionnaire_pages
from server.pages import rendering as pages
from server.pages import research as research_pages
from server.pages import search as search_pages
from server.pages.admin import goals as admin_goal_pages
from server.pages.admin import importing as admin_import_pages
from server.pages.admin import library as admin_library_pages
from server.pages.admin import programme as admin_pages
from server.pages.admin import questionnaires as admin_questionnaire_pages
from server.pages.admin import reports as admin_report_pages
from server.pages.admin import task_schedules as admin_schedule_pages
from server.pages.admin import tasks as admin_task_pages
from server.realtime.emit import forget_presence
from server.realtime.handlers import EVENTS
from server.realtime.limits import EventLimits
from server.realtime.online import Online, run_online
from server.realtime.presence import Presence
from server.realtime.server import RedisManager, create_socket_server
from server.realtime.sessions import SessionSockets, run_session_sockets
from server.runners.away import AwayMailer, run_away_mailer
from server.runners.digests import DigestRunner, run_digests
from server.runners.mailer import Mailer
from server.runners.questionnaires import QuestionnaireRunner, run_questionnaires
from server.runners.scheduler import Scheduler, run_scheduler
from server.runners.uploads import UploadSweeper, run_upload_sweeper
from server.security import add_security_headers

log = logging.getLogger(__name__)

MAX_REQUEST = 1024 * 1024  # every body but an upload's (server/api/files.py streams its own)
HANG_UP_TIMEOUT = 2.0


def create_app(config: Config, *, clock: Clock = SYSTEM_CLOCK) -> web.Application:
    app = web.Application(
        middlewares=[error_middleware, cross_site_guard], client_max_size=MAX_REQUEST
    )
    app[keys.CONFIG] = config
    app[keys.CLOCK] = clock
    app[keys.SECRET] = config.secret_bytes()
    app[keys.SEAL] = Seal(app[keys.SECRET])
    app[keys.PRESENCE] = Presence()
    app[keys.ONLINE] = Online(app[keys.PRESENCE])  # with Redis, run_online connects it
    app[keys.EVENT_LIMITS] = EventLimits(clock, config)
    app[keys.METRICS] = Metrics(app, EVENTS)
    app[keys.TEMPLATES] = pages.create_templates(config.calendar())
    app[keys.ERROR_PAGE] = pages.error_page
    app[keys.SIO] = create_socket_server(app, EVENTS)
    app[keys.SCHEDULER] = Scheduler(app)
    app[keys.QUESTIONNAIRES] = QuestionnaireRunner(app)
    app[keys.SESSION_SOCKETS] = SessionSockets(app)
    app[keys.AWAY_MAILER] = AwayMailer(app)
    app[keys.DIGESTS] = DigestRunner(app)
    app[keys.FILES] = storage.file_store(config.data_dir, config.files_url)
    app[keys.UPLOAD_SWEEPER] = UploadSweeper(app)
    app.add_routes(api.routes)
    app.add_routes(files_api.routes)
    app.add_routes(file_pages.routes)
    app.add_routes(tasks_api.routes)
    app.add_routes(admin_api.routes)
    app.add_routes(account_api.routes)
    app.add_routes(admin_pages.routes)
    app.add_routes(admin_import_pages.routes)
    app.add_routes(admin_task_pages.routes)
    app.add_routes(admin_schedule_pages.routes)
    app.add_routes(library_api.routes)
    app.add_routes(goals_api.routes)
    app.add_routes(goal_pages.routes)
    app.add_routes(admin_goal_pages.routes)
    app.add_routes(library_pages.routes)
    app.add_routes(admin_library_pages.routes)
    app.add_routes(questionnaires_api.routes)
    app.add_routes(questionnaire_pages.routes)
    app.add_routes(admin_questionnaire_pages.routes)
    app.add_routes(password_pages.routes)
    app.add_routes(profile_api.routes)
    app.add_routes(notify_api.routes)
    app.add_routes(search_api.routes)
    app.add_routes(channel_pages.routes)
    app.add_routes(community_pages.routes)
    app.add_routes(notify_pages.routes)
    app.add_routes(feedback_api.routes)
    app.add_routes(feedback_pages.routes)
    app.add_routes(flags_api.routes)
    app.add_routes(flag_pages.routes)
    app.add_routes(digest_pages.routes)
    app.add_routes(account_pages.routes)
    app.add_routes(profile_pages.routes)
    app.add_routes(search_pages.routes)
    app.add_routes(research_pages.routes)
    app.add_routes(research_api.routes)
    app.add_routes(admin_report_pages.routes)
    app.add_routes(health.routes)
    app.add_routes(metrics_route.routes)
    add_static_routes(app)
    app.on_response_prepare.append(add_security_headers)
    app.cleanup_ctx.append(_store)
    app.cleanup_ctx.append(watch_store)  # after the store: measures its commits
    app.cleanup_ctx.append(run_scheduler)  # after the store: stopped before it closes
    app.cleanup_ctx.append(run_questionnaires)  # after the store: stopped before it closes
    app.cleanup_ctx.append(_mailer)  # after the store: stops before it closes
    app.cleanup_ctx.append(run_session_sockets)  # after the store: stops before it closes
    app.cleanup_ctx.append(run_online)  # after the session sockets: uses their node's name
    app.cleanup_ctx.append(run_away_mailer)  # after the store and the mailer
    app.cleanup_ctx.append(run_digests)
    app.cleanup_ctx.append(run_upload_sweeper)  # after the store: stops before it closes
    app.on_shutdown.append(_close_sockets)
    return app


async def _store(app: web.Application) -> AsyncIterator[None]:
    config = app[keys.CONFIG]
    store = await storage.open_store(config.data_dir, config.database_url)
    try:
        await app[keys.FILES].start()
        await set_up_programme(store, clock=app[keys.CLOCK])
        app[keys.STORE] = store
        log.info("data in %s", app[keys.CONFIG].data_dir.resolve())
        yield
    finally:
        await app[keys.FILES].close()
        await store.close()


async def _mailer(app: web.Application) -> AsyncIterator[None]:
    mailer = Mailer(app[keys.STORE], app[keys.CONFIG], app[keys.CLOCK])
    app[keys.MAILER] = mailer
    mailer.start()
    try:
        yield
    finally:
        await mailer.stop()


async def _close_sockets(app: web.Application) -> None:
    """Hang up every client (they reconnect to another node, or when we are back), then stop
    socket.io's background tasks; otherwise open websockets hold shutdown for a minute.
    A client that vanished never drains its send queue, so the hang-up is bounded."""
    sio = app[keys.SIO]
    try:
        await forget_presence(app)
    except Exception:  # the rows go stale and are dropped by the other processes
        log.exception("could not drop this process's presence rows")
    # One by one: engine.io's disconnect() with no sid fails when the last socket closes
    # between the check and the call (one being hung up already, say).
    closing = [sio.eio.disconnect(sid) for sid in list(sio.eio.sockets)]
    if closing:
        try:
            await asyncio.wait_for(asyncio.gather(*closing), HANG_UP_TIMEOUT)
        except TimeoutError:
            log.info("some clients did not take the hang-up within %s s", HANG_UP_TIMEOUT)
    await sio.shutdown()
    if isinstance(sio.manager, RedisManager):
        await sio.manager.aclose()
