"""The upload sweeper: removes uploads nobody attached within a day (a tab closed before
sending, a send that failed for good), and their blobs when nothing else refers to them; and
once a day, on one node of all, blobs no row refers to (`channels.files.orphans`).

The work is `channels.files.uploads.remove_stale_uploads`, by the injected clock; any node may
run it at once (each row is deleted by one of them, and a blob only after a check that no row
refers to it).  Started and stopped by the app's cleanup_ctx, like the scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from channels.files.orphans import SweepReport, sweep_if_due
from channels.files.uploads import remove_stale_uploads
from server import keys
from server.runners.loop import Runner

POLL_SECONDS = 600.0


class UploadSweeper(Runner):
    name = "upload-sweeper"

    def __init__(self, app: web.Application) -> None:
        super().__init__()
        self._app = app
        self.passes = 0  # finished passes, for tests that move the clock and wake it
        self.last_sweep: SweepReport | None = None  # the orphan sweep this node last ran

    async def run_pass(self) -> float:
        app = self._app
        await remove_stale_uploads(app[keys.STORE], app[keys.FILES], clock=app[keys.CLOCK])
        swept = await sweep_if_due(app[keys.STORE], app[keys.FILES], clock=app[keys.CLOCK])
        if swept is not None:
            self.last_sweep = swept
        self.passes += 1
        return POLL_SECONDS


async def run_upload_sweeper(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: start after the store opens, stop before it closes."""
    sweeper = app[keys.UPLOAD_SWEEPER]
    sweeper.start()
    try:
        yield
    finally:
        await sweeper.stop()
