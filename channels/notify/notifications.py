"""Notifications: made in the same write as the message that causes them, so a message and its
notifications stand or fall together and nothing has to be claimed later; listed and marked
read by their recipient alone, and only while the recipient may still read the channel (a pair
that ended for them, a community they left: the notification is simply not there)."""

from __future__ import annotations

from collections.abc import Sequence

from channels.languages import N_
from storage import Tx

# Every kind, in the order the profile page lists them.  'resource' is made by the library's
# add_resource write (channels/library/resources.py), for the roles that see its folder;
# 'satisfaction' by a satisfaction request (channels/goals/satisfaction.py), for the two asked.
# 'questionnaire' by the questionnaires' delivery (channels/questionnaires/delivery.py), for
# the people a questionnaire asks, when it opens and a day before it closes.
KINDS = {  # shown translated (profile.html)
    "mention": N_("Someone mentions you"),
    "reply": N_("Replies in threads you started or replied in"),
    "pair_message": N_("New messages in your mentoring channel while you are away"),
    "line": N_("Messages in a line to the coordinators"),
    "task": N_("A task posted to your mentoring channel"),
    "task_due": N_("A task in your mentoring channel falls due"),
    "announcement": N_("Announcements"),
    "resource": N_("A new resource for your role in the library"),
    "satisfaction": N_("The coordinators ask how your mentoring is going"),
    "questionnaire": N_("A questionnaire for you opens, or is about to close unanswered"),
}
AWAY_MAIL_KINDS = ["mention", "pair_message", "line", "questionnaire"]
DIGEST_FREQUENCIES = ("daily", "weekly", "never")


async def record_message(
    tx: Tx,
    *,
    message_id: int,
    channel_id: int,
    author_id: int | None,
    kind: str,
    thread_id: int | None,
    mentions: Sequence[int],
    now: str,
    channel_kind: str | None = None,
) -> bool:
    """Inside the write that adds a message: whom it concerns (returns whether it notified
    anyone, so the caller knows whether there is anything to send after the commit).  The mentioned (checked to be
    readers before the write), those in its thread, the other person of a pair while they have
    no open socket, both of a pair for a task or its reminder, everyone for an announcement,
    the participant and the coordinators for a message in a coordinator line.
    Each person gets at most one notification per message, and none for their own."""
    if channel_kind is None:  # not known to the caller: one more read inside the write
        channel = await tx.load_channel(channel_id)
        assert channel is not None
        channel_kind = channel.kind
    told: set[int] = {author_id} if author_id is not None else set()
    made = 0

    async def tell(user_ids: Sequence[int], what: str, thread: int | None) -> None:
        nonlocal made
        fresh = [u for u in dict.fromkeys(user_ids) if u not in told]
        if fresh:
            made += await tx.add_notifications(
                fresh,
                kind=what,
                channel_id=channel_id,
                message_id=message_id,
                thread_id=thread,
                actor_id=author_id,
                now=now,
            )
            told.update(fresh)

    if mentions:
        await tx.insert_mentions(message_id, list(mentions))
        await tell(mentions, "mention", thread_id)
    if thread_id is not None and author_id is not None:
        await tell(await tx.list_thread_participants(thread_id), "reply", thread_id)
    if channel_kind == "pair":
        members = await tx.list_member_ids(channel_id)
        if kind == "task":
            await tell(members, "task", None)
        elif kind == "system" and author_id is None and thread_id is not None:
            root = await tx.load_message(thread_id)
            if root is not None and root.kind == "task":  # the overdue reminder
                await tell(members, "task_due", thread_id)
        elif author_id is not None:
            partners = [m for m in members if m not in told]
            online = await tx.list_online(partners)
            for partner in partners:
                if partner not in online:
                    made += 1
                    await tx.add_batched_notification(
                        partner,
                        kind="pair_message",
                        channel_id=channel_id,
                        message_id=message_id,
                        actor_id=author_id,
                        now=now,
                    )
    elif channel_kind == "coordinator_line" and author_id is not None:
        # The participant wrote: every coordinator is told; a coordinator answered: the
        # participant.  Online or not, added up per line until read.
        owner = await tx.load_line_owner(channel_id)
        if author_id == owner:
            recipients = await tx.list_enabled_ids("coordinator")
        else:
            recipients = [] if owner is None else [owner]
            await tx.mark_feedback_answered(channel_id, now)  # what waited has its answer
        for person in recipients:
            if person not in told:
                told.add(person)
                made += 1
                await tx.add_batched_notification(
                    person,
                    kind="line",
                    channel_id=channel_id,
                    message_id=message_id,
                    actor_id=author_id,
                    now=now,
                )
    elif channel_kind == "announcements" and thread_id is None and kind == "text":
        made += await tx.add_notifications_to_everyone(
            kind="announcement",
            channel_id=channel_id,
            message_id=message_id,
            actor_id=author_id,
            now=now,
        )

    return made > 0


async def mark_channel_read(tx: Tx, user_id: int, channel_id: int, seq: int, now: str) -> None:
    """Inside the write that moves a read position: what the channel notified up to there is
    read too (so nobody is mailed about what they have seen)."""
    await tx.mark_channel_notifications_read(user_id, channel_id, seq, now)
