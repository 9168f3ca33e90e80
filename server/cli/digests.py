"""`mentorspace digests`: print the digest one person would get now (`--preview EMAIL`, sends
nothing), or queue every digest that is due or would be due today (`--send-now`), still at
most one per person and period; the running server's mail sender delivers them."""

from __future__ import annotations

from datetime import datetime, time

from channels.clock import SYSTEM_CLOCK
from channels.errors import NotFound
from channels.languages import N_
from channels.notify import digests
from server.config import Config
from server.pages.rendering import create_templates
from server.runners.digests import digest_context, digest_renderer, digest_settings
from storage import Store


async def run_digests(store: Store, config: Config, *, preview: str | None) -> None:
    settings = digest_settings(config, config.secret_bytes())
    now = SYSTEM_CLOCK.now()
    render = digest_renderer(create_templates(settings.calendar), settings, SYSTEM_CLOCK.now)
    if preview is not None:
        user = await store.load_user_by_email(preview.strip().lower())
        if user is None:
            raise NotFound(N_("There is no account for %(preview)s."), preview=preview)
        prefs = await store.load_notification_prefs(user.id)
        frequency = prefs.digest if prefs.digest in digests.FREQUENCIES else "weekly"
        period = digests.current_period(frequency, now, settings)
        digest = await digests.build_digest(store, user, period, now, settings)
        if digest.empty:
            print(f"Nothing to send to {user.email}: the digest would be skipped.")
            return
        mail = render(digest)
        print(f"To: {user.name} <{user.email}>\nSubject: {mail.subject}\n")
        print(digest_text(digest, settings))
        return
    local_today = now.astimezone(settings.zone).date()
    today_at_hour = datetime.combine(local_today, time(settings.hour), tzinfo=settings.zone)
    run = await digests.send_due(store, now, settings, render, moment=max(now, today_at_hour))
    print(f"Queued {run.sent} digests; {run.skipped} people had nothing new.")


def digest_text(digest: digests.Digest, settings: digests.DigestSettings) -> str:
    return (
        create_templates(settings.calendar)
        .get_template("mail/digest.txt")
        .render(**digest_context(digest, settings))
    )
