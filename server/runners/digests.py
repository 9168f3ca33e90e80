"""The digest runner: each pass queues the digests whose period has begun (by the injected
clock) and nobody has claimed, then sleeps until the next period begins (at most POLL_SECONDS:
people change their settings, other processes may have sent).  Any number of processes may
run it at once: `channels.notify.digests` claims each digest in the transaction that queues it.
The mails are rendered from `web/templates/mail/digest.{txt,html}`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import jinja2
from aiohttp import web

from channels.notify import digests
from channels.people.mail import Mail, MailSettings, build_mail
from server import keys
from server.config import WEEKDAYS, Config
from server.realtime.emit import poke_mailer
from server.runners.loop import Runner

POLL_SECONDS = 300.0


def digest_settings(config: Config, secret: bytes) -> digests.DigestSettings:
    return digests.DigestSettings(
        calendar=config.calendar(),
        hour=config.digest_hour,
        weekday=WEEKDAYS.index(config.digest_weekday),
        mail=MailSettings(
            sender=config.smtp_from, public_url=config.base_url(), calendar=config.calendar()
        ),
        secret=secret,
        excerpts=config.mail_excerpts,
    )


def digest_context(digest: digests.Digest, settings: digests.DigestSettings) -> dict[str, Any]:
    """What the digest templates read: the digest, its links, and its reader's language and
    calendar (the templates' `_()` and dates follow them)."""
    reader = settings.reader(digest.user)
    return {
        "digest": digest,
        "links": digest.links(settings),
        "programme": settings.mail.programme,
        "language": reader.language,
        "calendar": reader.calendar,
    }


def digest_renderer(
    templates: jinja2.Environment,
    settings: digests.DigestSettings,
    now: Callable[[], datetime],
) -> digests.Render:
    """A digest as a mail: plain text and HTML from the templates, one-click unsubscribe; in
    its reader's language and calendar."""

    def render(digest: digests.Digest) -> Mail:
        links = digest.links(settings)
        context = digest_context(digest, settings)
        return build_mail(
            settings.mail,
            to_name=digest.user.name,
            to_address=digest.user.email,
            subject=digests.digest_subject(digest, settings),
            text=templates.get_template("mail/digest.txt").render(**context),
            html_body="",
            html_document=templates.get_template("mail/digest.html").render(**context),
            now=now(),
            headers={
                "List-Unsubscribe": f"<{links['unsubscribe']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )

    return render


class DigestRunner(Runner):
    name = "digests"

    def __init__(self, app: web.Application) -> None:
        super().__init__()
        self._app = app
        self._pass = asyncio.Lock()

    @property
    def settings(self) -> digests.DigestSettings:
        return digest_settings(self._app[keys.CONFIG], self._app[keys.SECRET])

    async def run_once(self) -> digests.SendRun:
        app = self._app
        clock = app[keys.CLOCK]
        settings = self.settings
        async with self._pass:
            run = await digests.send_due(
                app[keys.STORE],
                clock.now(),
                settings,
                digest_renderer(app[keys.TEMPLATES], settings, clock.now),
            )
        if run.sent:
            poke_mailer(app)
        return run

    async def run_pass(self) -> float:
        await self.run_once()
        clock = self._app[keys.CLOCK]
        ahead = (digests.next_start(clock.now(), self.settings) - clock.now()).total_seconds()
        return min(max(ahead, 1.0), POLL_SECONDS)


async def run_digests(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: start after the store opens, stop before it closes."""
    runner = app[keys.DIGESTS]
    runner.start()
    try:
        yield
    finally:
        await runner.stop()
