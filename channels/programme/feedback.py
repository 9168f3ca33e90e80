"""Feedback from any page: a category and a text (and a screenshot, if the person adds one)
that arrive as a message in the person's coordinator line, and a status on the coordinators'
list.  A coordinator's answer in the line marks it answered (in the write that posts the
answer, channels/notify/notifications.py), so the figures say how fast coordinators answer."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from channels.chat import lines
from channels.chat.messages import MAX_BODY, Changed, check_post, do_post
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Forbidden, Invalid, NotFound
from channels.files.uploads import check_attachments, check_own_uploads
from channels.input import check_choice, check_object, check_text
from channels.languages import N_
from channels.policy import PARTICIPANTS, check_coordinator
from channels.programme.audit import record_action
from channels.words import Words
from storage import Store, Tx
from storage.records import Feedback, User

CATEGORIES = {
    "question": N_("A question"),
    "problem": N_("Something does not work"),
    "idea": N_("An idea"),
    "other": N_("Something else"),
}
STATUSES = ("new", "answered", "closed")
_FEEDBACK_MARKED = {
    "new": N_("Marked feedback from %(name)s as new."),
    "answered": N_("Marked feedback from %(name)s as answered."),
    "closed": N_("Marked feedback from %(name)s as closed."),
}
FIGURES_SINCE = timedelta(days=90)


@dataclass(frozen=True)
class SentFeedback:
    line: lines.OpenedLine
    posted: Changed


async def send_feedback(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> SentFeedback:
    """`payload`: {category, body, attachments?, client_id?}.  Everything is checked before the
    line is opened, so bad input changes nothing."""
    payload = check_object(payload)
    category = check_choice(payload, "category", CATEGORIES, what=N_("What it is about"))
    if user.role not in PARTICIPANTS:
        raise Forbidden(N_("Feedback goes to the coordinators; write to them in the lounges."))
    body = check_text(payload, "body", max_length=MAX_BODY - 100, what=N_("Your feedback"))
    attachments = check_attachments(payload)
    await check_own_uploads(store, user, attachments)
    line = await lines.open_line(store, user, clock=clock)
    new = await check_post(
        store,
        user,
        {
            "channel_id": line.channel.id,
            "body": f"**Feedback: {CATEGORIES[category]}**\n\n{body}",
            "attachments": list(attachments),
            "client_id": payload.get("client_id"),
        },
    )
    now = iso(clock.now())

    async def record(tx: Tx, message_id: int) -> int:
        return await tx.insert_feedback(
            user_id=user.id,
            channel_id=line.channel.id,
            message_id=message_id,
            category=category,
            now=now,
        )

    posted, _ = await do_post(store, user, new, now=now, also=record)
    return SentFeedback(line, posted)


@dataclass(frozen=True)
class FeedbackList:
    feedback: list[Feedback]
    median_answer_hours: float | None  # over FIGURES_SINCE
    answered: int


async def list_feedback(
    store: Store, user: User, *, status: str | None = None, clock: Clock = SYSTEM_CLOCK
) -> FeedbackList:
    check_coordinator(user)
    if status is not None and status not in STATUSES:
        raise Invalid(N_("The status is one of %(statuses)s."), statuses=", ".join(STATUSES))
    found = await store.list_feedback(status=status, limit=200)
    waits = await store.list_answer_seconds(iso(clock.now() - FIGURES_SINCE))
    median = round(statistics.median(waits) / 3600, 1) if waits else None
    return FeedbackList(found, median, len(waits))


async def set_status(
    store: Store, user: User, feedback_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Feedback:
    """`payload`: {status}.  Coordinators only; audited."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    status = payload.get("status")
    if status not in STATUSES:
        raise Invalid(N_("The status is one of %(statuses)s."), statuses=", ".join(STATUSES))
    found = await store.load_feedback(feedback_id)
    if found is None:
        raise NotFound(N_("That feedback does not exist."))
    now = iso(clock.now())

    async def write(tx: Tx) -> None:
        await tx.set_feedback_status(found.id, status, now)
        await record_action(
            tx,
            actor,
            "feedback.status_changed",
            target_type="feedback",
            target_id=found.id,
            summary=Words(_FEEDBACK_MARKED[status], name=found.user_name),
            now=now,
        )

    await store.write(write)
    changed = await store.load_feedback(found.id)
    assert changed is not None
    return changed
