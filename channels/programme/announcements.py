"""Announcements from coordinators, optionally also e-mailed to everyone.

The post and its mails are written in one transaction: either the announcement is there and
every mail is queued, or neither.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.chat.messages import Changed, check_post, do_post
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import NotFound
from channels.input import check_bool, check_object
from channels.languages import N_
from channels.people.mail import MailSettings, announcement_mail
from channels.policy import check_coordinator
from channels.programme.audit import record_action
from channels.words import Count, Words
from storage import Store, Tx
from storage.records import User


async def post_announcement(
    store: Store,
    user: User,
    payload: Any,
    *,
    mail: MailSettings,
    clock: Clock = SYSTEM_CLOCK,
) -> tuple[Changed, int]:
    """`payload`: {body, client_id?, email?}.  Returns what changed and how many mails were
    queued.  Posted the way every message is (`check_post`, `do_post`), so the same client_id
    again returns the first announcement (`created` False) and queues nothing."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    send_mail = check_bool(payload, "email", default=False)
    channel = await store.load_channel_by_kind("announcements")
    if channel is None:
        raise NotFound(N_("The programme has no announcements channel."))
    new = await check_post(
        store,
        user,
        {
            "channel_id": channel.id,
            "body": payload.get("body"),
            "client_id": payload.get("client_id"),
        },
        what=N_("An announcement"),
    )
    now = clock.now()
    recipients = [u for u in await store.list_users() if not u.disabled] if send_mail else []
    link = mail.link("/")
    mails = await asyncio.to_thread(
        lambda: [
            announcement_mail(
                mail,
                name=u.name,
                email=u.email,
                author=user.name,
                body=new.body,
                body_html=new.html,
                link=link,
                now=now,
                language=u.language,
            ).as_row()
            for u in recipients
        ]
    )

    async def queue_and_record(tx: Tx, message_id: int) -> int:
        queued = await tx.enqueue_mail(mails, iso(now))
        await record_action(
            tx,
            actor,
            "announcement.posted",
            target_type="message",
            target_id=message_id,
            summary=Words(
                N_("Posted an announcement and e-mailed it to %(count)s people."),
                count=Count(queued),
            )
            if queued
            else Words(N_("Posted an announcement.")),
            now=iso(now),
        )
        return queued

    changed, queued = await do_post(store, user, new, now=iso(now), also=queue_and_record)
    return changed, queued or 0
