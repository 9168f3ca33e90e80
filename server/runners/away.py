"""The away mailer: every pass, tell the database which people this process still has sockets
of (so every process knows who is away), then queue the away e-mails that are due.  Any number
of processes may run it: the notifications are claimed in the transaction that queues the
mail.  Time is the injected clock; tests call `run_once()` after moving it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from channels.notify import away
from channels.notify.inbox import refresh_presence
from channels.people.mail import MailSettings
from server import keys
from server.realtime.emit import poke_mailer
from server.runners.loop import Runner

POLL_SECONDS = 30.0  # well within inbox.ONLINE_FRESH, so live rows never look stale


def away_settings(app: web.Application) -> away.AwaySettings:
    config = app[keys.CONFIG]
    return away.AwaySettings(
        mail=MailSettings(
            sender=config.smtp_from, public_url=config.base_url(), calendar=config.calendar()
        ),
        minutes=config.away_minutes,
        excerpts=config.mail_excerpts,
    )


class AwayMailer(Runner):
    name = "away-mailer"

    def __init__(self, app: web.Application) -> None:
        super().__init__()
        self._app = app
        self._pass = asyncio.Lock()

    async def run_once(self) -> int:
        app = self._app
        async with self._pass:
            if app[keys.PRESENCE].closing:
                return 0
            now = app[keys.CLOCK].now()
            await refresh_presence(
                app[keys.STORE],
                app[keys.SESSION_SOCKETS].node,
                app[keys.PRESENCE].online_user_ids(),
                now,
            )
            queued = await away.send_due(app[keys.STORE], now, away_settings(app))
        if queued:
            poke_mailer(app)
        return queued

    async def run_pass(self) -> float:
        await self.run_once()
        return POLL_SECONDS


async def run_away_mailer(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: start after the store opens, stop before it closes."""
    runner = app[keys.AWAY_MAILER]
    runner.start()
    try:
        yield
    finally:
        await runner.stop()
