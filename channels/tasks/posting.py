"""Posting tasks into pair channels, the overdue reminder in a task's thread, and marking a
task done or not done.

`run_due(store, now, settings)` is the scheduler's whole job, with time passed in: it posts
every occurrence due by `now` that nobody has posted, and every reminder due.  Any number of
processes may call it at once on one database: each occurrence and each reminder is claimed
by one atomic statement in the transaction that posts it, so exactly one of them posts.
An occurrence posted more than a few minutes after its time (the server was down) is marked
late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.chat import notices
from channels.chat.messages import Changed, add_message
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid
from channels.input import check_bool, check_id, check_object
from channels.languages import N_
from channels.policy import Action, check_message_allowed
from channels.readers import Time
from channels.render import render_markdown
from channels.research.usage import count_use
from channels.tasks.rules import (
    Occurrence,
    Settings,
    add_local_days,
    is_finished,
    is_late,
    next_occurrence,
    occurrences,
    parse_iso,
    rule_of,
    target_of,
)
from storage import Store, Tx
from storage.records import Message, Pair, TaskSchedule, TaskTemplate, User

MAX_POSTS_PER_RUN = 500  # bounds one run's transactions; the rest go out on the next run
MAX_REMINDERS_PER_RUN = 200


@dataclass(frozen=True)
class Run:
    """What one run changed (to send to the channels' rooms) and whether it stopped at a limit
    with more still due (run again at once)."""

    changes: list[Message]
    more: bool


async def post_occurrences(
    tx: Tx,
    schedule: TaskSchedule,
    template: TaskTemplate,
    due: list[tuple[Pair, Occurrence]],
    now: datetime,
    settings: Settings,
) -> list[int]:
    """Inside a write: claim each occurrence and post it as a task message; return the ids of
    the messages posted (occurrences someone else claimed first, and pairs that ended since
    the run was planned, are skipped: the claim checks the pair inside this write)."""
    html = render_markdown(template.body)
    due_at = None
    if template.due_days is not None:
        due_at = iso(add_local_days(now, template.due_days, settings.zone))
    posted = []
    for pair, occurrence in due:
        await tx.lock_pair(pair.id)  # not ended between the claim's check and the post
        occurrence_id = await tx.claim_occurrence(
            schedule_id=schedule.id,
            pair_id=pair.id,
            occurrence=occurrence.key,
            scheduled_at=iso(occurrence.at),
            title=template.title,
            due_at=due_at,
            late=is_late(occurrence.at, now),
            now=iso(now),
        )
        if occurrence_id is None:
            continue
        message_id = (
            await add_message(
                tx,
                channel_id=pair.channel_id,
                author_id=None,
                kind="task",
                body=template.body,
                html=html,
                now=iso(now),
            )
        ).id
        await tx.attach_task_message(occurrence_id, message_id)
        posted.append(message_id)
    return posted


async def _post_scheduled(
    store: Store,
    seen: TaskSchedule,
    due: list[tuple[Pair, Occurrence]],
    now: datetime,
    settings: Settings,
    *,
    finish: bool,
) -> list[int]:
    async def post(tx: Tx) -> list[int]:
        # Paused, cancelled or edited since we looked (perhaps by another node): leave it to
        # the next run, which sees the schedule as it is now (and keeps until the commit).
        await tx.lock_schedule(seen.id)
        schedule = await tx.load_schedule(seen.id)
        if schedule is None or schedule.state != "active" or schedule.updated_at != seen.updated_at:
            return []
        template = await tx.load_template(schedule.template_id)
        if template is None or template.deleted_at is not None:
            return []
        posted = await post_occurrences(tx, schedule, template, due, now, settings)
        if finish:
            await tx.set_schedule_state(schedule.id, "finished", iso(now))
        return posted

    return await store.write(post)


async def run_due(store: Store, now: datetime, settings: Settings) -> Run:
    """Post everything due by `now` that has not been posted, and the reminders due."""
    schedules = await store.list_live_schedules()
    pairs = await store.list_pairs(active_only=True) if schedules else []
    budget, more, posted = MAX_POSTS_PER_RUN, False, []
    for schedule in schedules:
        rule, target = rule_of(schedule), target_of(schedule)
        start = parse_iso(schedule.active_from)
        due = occurrences(rule, target, pairs, settings.zone, start, now)
        if due:
            claimed = await store.list_claimed(schedule.id)
            due = [(pair, o) for pair, o in due if (pair.id, o.key) not in claimed]
        if len(due) > budget:
            due, more = due[:budget], True
        finish = not more and is_finished(rule, now)
        if due or finish:
            posted += await _post_scheduled(store, schedule, due, now, settings, finish=finish)
            budget -= len(due)
    changes = await store.load_messages(posted) if posted else []
    reminders = await remind_overdue(store, now, settings)
    return Run([*changes, *reminders.changes], more or reminders.more)


def _reminder(due_at: datetime, settings: Settings) -> notices.Written:
    return notices.written("task.reminder", day=Time(due_at, settings.calendar))


async def remind_overdue(store: Store, now: datetime, settings: Settings) -> Run:
    """Post the one reminder, in its thread, of each task that is overdue and not done."""
    overdue = await store.list_overdue_unreminded(iso(now), MAX_REMINDERS_PER_RUN)
    if not overdue:
        return Run([], False)

    async def remind(tx: Tx) -> list[int]:
        changed_ids = []
        for occurrence in overdue:
            if not await tx.claim_reminder(occurrence.id, iso(now)):
                continue  # another node reminded, the pair marked it done, or the pair ended
            # an overdue task has a due date and its message (list_overdue_unreminded)
            assert occurrence.due_at is not None and occurrence.message_id is not None
            reminder = _reminder(parse_iso(occurrence.due_at), settings)
            channel_id = occurrence.channel_id
            reply_id = (
                await add_message(
                    tx,
                    channel_id=channel_id,
                    author_id=None,
                    kind="system",
                    body=reminder.body,
                    html=reminder.html,
                    notice=reminder.notice,
                    now=iso(now),
                    thread_id=occurrence.message_id,
                )
            ).id
            changed_ids += [reply_id, occurrence.message_id]
        return changed_ids

    changed_ids = await store.write(remind)
    changes = await store.load_messages(changed_ids) if changed_ids else []
    changes.sort(key=lambda m: (m.channel_id, m.seq))
    return Run(changes, len(overdue) == MAX_REMINDERS_PER_RUN)


async def next_wake(store: Store, now: datetime, settings: Settings) -> datetime | None:
    """The next instant after `now` at which something may fall due (a task or a reminder)."""
    schedules = await store.list_live_schedules()
    pairs = await store.list_pairs(active_only=True) if schedules else []
    candidates = [
        next_occurrence(
            rule_of(s), target_of(s), pairs, settings.zone, parse_iso(s.active_from), now
        )
        for s in schedules
    ]
    reminder = await store.next_reminder_due(iso(now))
    if reminder is not None:
        candidates.append(parse_iso(reminder))
    return min((c for c in candidates if c is not None), default=None)


async def complete_task(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Changed:
    """`payload`: {message_id, done}.  Either member of the pair marks the task done, or not
    done; the message takes the channel's next seq so sync carries the change."""
    payload = check_object(payload)
    message_id = check_id(payload, "message_id")
    done = check_bool(payload, "done")
    message, _ = await check_message_allowed(store, user, message_id, Action.REPLY)
    if message.task is None:
        raise Invalid(N_("That message is not a task."))
    if message.deleted_at is not None:
        raise Invalid(N_("That task has been deleted."))

    now = iso(clock.now())

    async def mark(tx: Tx) -> bool:
        changed = await tx.set_task_done(message.id, done_by=user.id if done else None, now=now)
        if changed:
            await tx.touch_message(message.id, seq=await tx.next_seq(message.channel_id))
            if done:
                await count_use(tx, user.id, "task.done", now)
        return changed

    changed = await store.write(mark)
    # Reload either way: when nothing changed, the partner may have just made the same change.
    current = await store.load_message(message.id)
    assert current is not None
    return Changed(current, [current] if changed else [])
