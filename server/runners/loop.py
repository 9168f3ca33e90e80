"""The loop every background runner shares (the scheduler, the mail sender): one pass, then
sleep until the pass says the next is due, or until woken; stopped within a bound."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

log = logging.getLogger(__name__)


class Runner(ABC):
    """Subclasses say what one pass does (`run_pass`, returning the seconds until the next)."""

    name = "runner"
    retry_seconds = 5.0  # after a pass that failed
    stop_seconds = 10.0  # how long `stop()` lets a pass in progress finish before cancelling it

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.stopping = False
        self.first_pass_done = asyncio.Event()
        self.lag_seconds = 0.0  # how late the last pass that was not woken early started
        self.last_pass_at: float | None = None  # when the last finished pass began (Unix time)
        self.wake_others: Callable[[], None] | None = None  # set when there are other nodes

    @abstractmethod
    async def run_pass(self) -> float:
        """Do what is due; return the seconds until the next pass (0: at once)."""

    def start(self) -> None:
        self.stopping = False
        self._task = asyncio.create_task(self._loop(), name=f"mentorspace-{self.name}")

    def wake(self) -> None:
        """Run a pass now, here and on every other node: something this node did made work due
        (the other nodes would otherwise see it only at their next poll)."""
        self._wake.set()
        if self.wake_others is not None:
            self.wake_others()

    def wake_here(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        self.stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), self.stop_seconds)
        except TimeoutError:
            log.warning(
                "%s did not stop within %s seconds; cancelled", self.name, self.stop_seconds
            )
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _loop(self) -> None:
        while not self.stopping:
            self._wake.clear()  # before the pass, so a wake (or stop) during it is kept
            began = time.time()
            try:
                delay = await self.run_pass()
            except Exception:
                log.exception("%s pass failed; trying again in %s s", self.name, self.retry_seconds)
                delay = self.retry_seconds
            self.last_pass_at = began
            self.first_pass_done.set()
            if self.stopping:
                break
            planned = asyncio.get_running_loop().time() + delay
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            late = asyncio.get_running_loop().time() - planned
            self.lag_seconds = 0.0 if self._wake.is_set() else max(late, 0.0)
