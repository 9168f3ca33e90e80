"""The questionnaire runner: posts the cards of questionnaires as they open and notifies the
people they ask (when they open, and a day before they close if still unanswered).

The work is `channels.questionnaires.delivery.run_due(store, now)`, which every node may run at
once: the database decides who posts each card and makes each notification.  This loop only
works out how long to sleep: until the next questionnaire opens or enters its last day by the
injected clock, and never longer than POLL_SECONDS (people and pairs asked by an open
questionnaire may appear at any time, on any node).  It wakes early when this node assigns or
changes a questionnaire.  Each pass also releases the anonymous answers that are due
(`channels.questionnaires.releasing.release_closed`): those of a questionnaire that has closed,
and any left waiting by a crash.  Started and stopped by the app's cleanup_ctx.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from channels.questionnaires.audience import state_of
from channels.questionnaires.delivery import Delivery, next_wake, run_due
from channels.questionnaires.releasing import release_closed
from server import keys
from server.realtime.emit import emit_changes, emit_notifications_by_id
from server.runners.loop import Runner
from storage.records import Questionnaire

POLL_SECONDS = 30.0


class QuestionnaireRunner(Runner):
    name = "questionnaires"

    def __init__(self, app: web.Application) -> None:
        super().__init__()
        self._app = app
        self._pass = asyncio.Lock()  # one pass at a time on this node

    async def run_once(self) -> Delivery:
        """One pass at the clock's present; tells the channels and the people what changed."""
        async with self._pass:
            store, now = self._app[keys.STORE], self._app[keys.CLOCK].now()
            delivery = await run_due(store, now)
            await release_closed(store, self._app[keys.SEAL], now)
            await emit_changes(self._app, delivery.changes)
            await emit_notifications_by_id(self._app, delivery.notification_ids)
        return delivery

    async def deliver_if_open(self, questionnaire: Questionnaire) -> None:
        """After assigning: one that opens now is delivered before the caller is answered (so
        what the caller does next sees its cards); a later one makes the loop plan again."""
        if state_of(questionnaire, self._app[keys.CLOCK].now()) == "open":
            await self.run_once()
        self.wake()

    async def run_pass(self) -> float:
        delivery = await self.run_once()
        if delivery.more:
            return 0.0
        clock = self._app[keys.CLOCK]
        upcoming = await next_wake(self._app[keys.STORE], clock.now())
        if upcoming is None:
            return POLL_SECONDS
        return min(max((upcoming - clock.now()).total_seconds(), 0.0), POLL_SECONDS)


async def run_questionnaires(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: start after the store opens, stop before it closes."""
    runner = app[keys.QUESTIONNAIRES]
    runner.start()
    try:
        yield
    finally:
        await runner.stop()
