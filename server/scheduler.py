"""The scheduler: a background task that posts scheduled tasks and overdue reminders.

The work is `channels.task_posting.run_due(store, now, settings)`, which every node may run at
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
from zoneinfo import ZoneInfo

from aiohttp import web

from channels.schedules import Settings
from channels.task_posting import Run, next_wake, run_due

from . import keys
from .realtime import emit_changes

log = logging.getLogger(__name__)

POLL_SECONDS = 30.0
RETRY_SECONDS = 5.0
STOP_SECONDS = 10.0


class Scheduler:
    def __init__(self, app: web.Application) -> None:
        config = app[keys.CONFIG]
        self.settings = Settings(ZoneInfo(config.timezone), config.max_recurrence_days)
        self._app = app
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()  # one pass at a time on this node
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.first_pass_done = asyncio.Event()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="mentorspace-scheduler")

    def wake(self) -> None:
        """Look again now: a schedule changed."""
        self._wake.set()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(task, STOP_SECONDS)  # cancels it if a pass hangs
        except TimeoutError:
            log.warning("scheduler did not stop within %s seconds; cancelled", STOP_SECONDS)

    async def run_once(self) -> Run:
        """One pass at the clock's present; tells the channels' rooms what changed."""
        async with self._pass:
            run = await run_due(self._app[keys.STORE], self._app[keys.CLOCK].now(), self.settings)
        await emit_changes(self._app, run.changes)
        return run

    async def _seconds_to_next(self) -> float:
        clock = self._app[keys.CLOCK]
        upcoming = await next_wake(self._app[keys.STORE], clock.now(), self.settings)
        if upcoming is None:
            return POLL_SECONDS
        return min(max((upcoming - clock.now()).total_seconds(), 0.0), POLL_SECONDS)

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                run = await self.run_once()
                delay = 0.0 if run.more else await self._seconds_to_next()
            except Exception:
                log.exception("scheduler pass failed; trying again in %s seconds", RETRY_SECONDS)
                delay = RETRY_SECONDS
            self.first_pass_done.set()
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass


async def run_scheduler(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: start after the store opens, stop before it closes."""
    scheduler = app[keys.SCHEDULER]
    scheduler.start()
    try:
        yield
    finally:
        await scheduler.stop()
