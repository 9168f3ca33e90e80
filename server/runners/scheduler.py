"""The scheduler: a background task that posts scheduled tasks and overdue reminders.

The work is `channels.tasks.posting.run_due(store, now, settings)`, which every node may run at
once: the database decides who posts each occurrence.  This loop only works out how long to
sleep: until the next thing falls due by the injected clock, and never longer than
POLL_SECONDS (another node may have made a schedule or a pair).  It wakes early when this node
changes a schedule, and runs once at start, which is when whatever fell due while the server
was down gets posted (marked late).

Started and stopped by the app's cleanup_ctx; `stop()` lets a pass in progress finish, so no
task is left behind.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from channels.tasks.posting import Run, next_wake, run_due
from channels.tasks.rules import Settings
from server import keys
from server.realtime.emit import emit_changes
from server.runners.loop import Runner

log = logging.getLogger(__name__)

POLL_SECONDS = 30.0


class Scheduler(Runner):
    name = "scheduler"

    def __init__(self, app: web.Application) -> None:
        super().__init__()
        config = app[keys.CONFIG]
        self.settings = Settings(config.calendar(), config.max_recurrence_days)
        self._app = app
        self._pass = asyncio.Lock()  # one pass at a time on this node

    async def run_once(self) -> Run:
        """One pass at the clock's present; tells the channels' rooms what changed."""
        async with self._pass:
            run = await run_due(self._app[keys.STORE], self._app[keys.CLOCK].now(), self.settings)
        await emit_changes(self._app, run.changes)
        return run

    async def run_pass(self) -> float:
        run = await self.run_once()
        return 0.0 if run.more else await self._seconds_to_next()

    async def _seconds_to_next(self) -> float:
        clock = self._app[keys.CLOCK]
        upcoming = await next_wake(self._app[keys.STORE], clock.now(), self.settings)
        if upcoming is None:
            return POLL_SECONDS
        return min(max((upcoming - clock.now()).total_seconds(), 0.0), POLL_SECONDS)


async def run_scheduler(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: start after the store opens, stop before it closes."""
    scheduler = app[keys.SCHEDULER]
    scheduler.start()
    try:
        yield
    finally:
        await scheduler.stop()
