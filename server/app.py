"""`create_app(config)`: the whole server as one aiohttp application.  Nothing is built at
import time, so tests can run as many servers side by side as they like."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

import storage
from channels.clock import SYSTEM_CLOCK, Clock
from channels.directory import set_up_programme

from . import account_pages, api, channel_pages, keys, pages, profile_api
from .assets import add_static_routes
from .auth import cross_site_guard
from .config import Config
from .errors import error_middleware
from .presence import Presence
from .realtime import create_socket_server
from .security import add_security_headers

log = logging.getLogger(__name__)

MAX_REQUEST = 1024 * 1024


def create_app(config: Config, *, clock: Clock = SYSTEM_CLOCK) -> web.Application:
    app = web.Application(
        middlewares=[error_middleware, cross_site_guard], client_max_size=MAX_REQUEST
    )
    app[keys.CONFIG] = config
    app[keys.CLOCK] = clock
    app[keys.SECRET] = config.secret_bytes()
    app[keys.PRESENCE] = Presence()
    app[keys.TEMPLATES] = pages.create_templates()
    app[keys.SIO] = create_socket_server(app)
    app.add_routes(api.routes)
    app.add_routes(profile_api.routes)
    app.add_routes(channel_pages.routes)
    app.add_routes(account_pages.routes)
    add_static_routes(app)
    app.on_response_prepare.append(add_security_headers)
    app.cleanup_ctx.append(_store)
    app.on_shutdown.append(_close_sockets)
    return app


async def _store(app: web.Application) -> AsyncIterator[None]:
    store = await storage.open_store(app[keys.CONFIG].data_dir)
    try:
        await set_up_programme(store, clock=app[keys.CLOCK])
        app[keys.STORE] = store
        log.info("data in %s", app[keys.CONFIG].data_dir.resolve())
        yield
    finally:
        await store.close()


async def _close_sockets(app: web.Application) -> None:
    await app[keys.SIO].shutdown()
