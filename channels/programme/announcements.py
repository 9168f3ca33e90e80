"""Announcements from coordinators, optionally also e-mailed to everyone.

The post and its mails are written in one transaction: either the announcement is there and
every mail is queued, or neither.
"""

from __future__ import annotations

import asyncio
from typing import Any

import storage
from channels.chat.messages import MAX_BODY, MAX_CLIENT_ID, Changed, add_message
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import NotFound
from channels.input import check_bool, check_object, check_text
from channels.people.mail import MailSettings, announcement_mail
from channels.policy import Action, check_allowed, check_coordinator
from channels.programme.audit import record_action
from channels.render import render_markdown
from storage import Store, Tx
from storage.records import Message, User


async def post_announcement(
    store: Store,
    user: User,
    payload: Any,
    *,
    mail: MailSettings,
    clock: Clock = SYSTEM_CLOCK,
) -> tuple[Changed, int]:
    """`payload`: {body, client_id?, email?}.  Returns what changed and how many mails were
    queued.  The same client_id again returns the first announcement and queues nothing."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    body = check_text(payload, "body", max_length=MAX_BODY, what="An announcement")
    client_id = check_text(payload, "client_id", max_length=MAX_CLIENT_ID, optional=True)
    send_mail = check_bool(payload, "email", default=False)
    channel = await store.load_channel_by_kind("announcements")
    if channel is None:
        raise NotFound("The programme has no announcements channel.")
    await check_allowed(store, user, channel.id, Action.POST)
    if client_id is not None:
        earlier = await store.load_message_by_client_id(user.id, client_id)
        if earlier is not None:
            return Changed(earlier, []), 0
    assert body is not None
    html = render_markdown(body)
    now = clock.now()
    recipients = [u for u in await store.list_users() if not u.disabled] if send_mail else []
    link = mail.link("/")
    mails = await asyncio.to_thread(
        lambda: [
            announcement_mail(
                mail, name=u.name, email=u.email, author=user.name,
                body=body, body_html=html, link=link, now=now,
            ).as_row()
            for u in recipients
        ]
    )  # fmt: skip
    try:

        async def insert(tx: Tx) -> tuple[int, int]:
            message_id, _ = await add_message(
                tx,
                channel_id=channel.id,
                author_id=user.id,
                kind="text",
                body=body,
                html=html,
                now=iso(now),
                client_id=client_id,
            )
            queued = await tx.enqueue_mail(mails, iso(now))
            await record_action(
                tx, actor, "announcement.posted", target_type="message", target_id=message_id,
                summary=f"Posted an announcement{f' and e-mailed it to {queued} people' if queued else ''}.",
                now=iso(now),
            )  # fmt: skip
            return message_id, queued

        message_id, queued = await store.write(insert)
    except storage.IntegrityError:
        # The same client_id raced in from another request and won: nothing was queued twice.
        earlier = await store.load_message_by_client_id(user.id, client_id) if client_id else None
        if not earlier:
            raise
        return Changed(earlier, []), 0
    message = await store.load_message(message_id)
    assert isinstance(message, Message)
    return Changed(message, [message]), queued
