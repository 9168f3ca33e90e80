"""E-mail when away: someone with no open socket gets ONE e-mail for the mentions, pair
messages and questionnaires waiting for an answer that arrived while they were away, once the window (`minutes`) has passed since the
first of them (or since they left, whichever is later).  Nothing if they came back and read
first: reading marks the notifications read, and only unread ones are mailed.

The mail never holds a pair's words: for a pair channel it says who and how many, and links
to the channel.  A mention elsewhere may show a short excerpt, unless the programme turns
excerpts off.  The notifications are claimed (`mailed_at`) in the transaction that queues the
mail, by a statement that takes only those still unread and unclaimed, so two processes never
both send, and a restart never sends twice.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from channels.chat.directory import readable_channel_ids
from channels.clock import iso
from channels.notify.notifications import AWAY_MAIL_KINDS
from channels.notify.wire import excerpt, notification_link, notification_text
from channels.people.mail import Mail, MailSettings, build_mail, greeting
from channels.readers import Reader
from storage import Store, Tx
from storage.records import PRIVATE_CHANNEL_KINDS, Notification, User


@dataclass(frozen=True)
class AwaySettings:
    mail: MailSettings
    minutes: float = 10
    excerpts: bool = True  # mentions outside pair channels may quote the message's start


class _Changed(Exception):
    """Some of the notifications were read or mailed meanwhile: try again next pass."""


def _due_at(items: list[Notification], last_seen_at: str | None, minutes: float) -> datetime:
    start = min(n.created_at for n in items)
    if last_seen_at and last_seen_at > start:
        start = last_seen_at
    return datetime.fromisoformat(start) + timedelta(minutes=minutes)


async def send_due(store: Store, now: datetime, settings: AwaySettings) -> int:
    """Queue the away e-mail of everyone whose window has passed; returns how many."""
    pending: dict[int, list[Notification]] = defaultdict(list)
    for notification in await store.list_away_pending(kinds=AWAY_MAIL_KINDS):
        pending[notification.user_id].append(notification)
    queued = 0
    for user_id, items in pending.items():
        prefs = await store.load_notification_prefs(user_id)
        if now < _due_at(items, prefs.last_seen_at, settings.minutes):
            continue
        user = await store.load_user(user_id)
        if user is None or user.disabled:
            continue
        readable = set(await readable_channel_ids(store, user))
        items = [n for n in items if n.channel_id in readable]
        if items and await _queue(store, user, items, now, settings):
            queued += 1
    return queued


async def _queue(
    store: Store, user: User, items: list[Notification], now: datetime, settings: AwaySettings
) -> bool:
    mail = away_mail(settings, user, items, now)
    wanted = sorted(n.id for n in items)

    async def claim_and_queue(tx: Tx) -> bool:
        claimed = await tx.claim_away_mail(user.id, wanted, iso(now))
        if not claimed:
            return False
        if claimed != wanted:
            raise _Changed  # rolls the claim back; the next pass mails what is still unread
        await tx.enqueue_mail([mail.as_row()], iso(now))
        return True

    try:
        return await store.write(claim_and_queue)
    except _Changed:
        return False


def _line(n: Notification, settings: AwaySettings, words: Reader) -> tuple[str, str | None]:
    """What the mail says of one notification, and the excerpt it may quote (never a pair's)."""
    quoted = None
    if settings.excerpts and n.kind == "mention" and n.channel_kind not in PRIVATE_CHANNEL_KINDS:
        quoted = excerpt(n.excerpt)
    return notification_text(n, words), quoted


def away_mail(settings: AwaySettings, user: User, items: list[Notification], now: datetime) -> Mail:
    """In `user`'s language (the programme's if they chose none)."""
    mail = settings.mail
    words = mail.reader(user.language)
    _ = words.gettext
    # The subject says nothing of who wrote: coordinators see the subjects of outgoing mail.
    subject = _("New in %(programme)s while you were away") % {"programme": mail.programme}
    hello = greeting(words, user.name)
    intro = _("While you were away:")
    text_lines = [hello, "", intro, ""]
    html_items = []
    for n in items:
        said, quoted = _line(n, settings, words)
        link = mail.link(notification_link(n))
        text_lines.append(f"- {said}." + (f' "{quoted}"' if quoted else ""))
        text_lines.append(f"  {link}")
        html_items.append(
            f'<li><a href="{html.escape(link, quote=True)}">{html.escape(said)}</a>'
            + (f"<br><q>{html.escape(quoted)}</q>" if quoted else "")
            + "</li>"
        )
    settings_link = mail.link("/profile#notifications-title")
    footer = _(
        "You get at most one such e-mail while you are away. To stop them, change your"
        " notification settings:"
    )
    settings_label = _("Notification settings")
    text_lines += ["", footer, settings_link]
    body = (
        f"<p>{html.escape(hello)}</p><p>{html.escape(intro)}</p><ul>{''.join(html_items)}</ul>"
        f'<p style="color:#555">{html.escape(footer)} <a href="{html.escape(settings_link, quote=True)}">'
        f"{html.escape(settings_label)}</a></p>"
    )
    return build_mail(
        mail,
        to_name=user.name,
        to_address=user.email,
        subject=subject,
        text="\n".join(text_lines),
        html_body=body,
        now=now,
    )
