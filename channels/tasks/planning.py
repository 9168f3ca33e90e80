"""What coordinators do with tasks: write templates, schedule them into pair channels, post one
now, pause, edit or cancel a schedule, and follow progress.

Only coordinators, and progress is counts and dates, never what a pair wrote.  Every function
checks all of its input before it writes, so bad input changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.chat.messages import MAX_BODY
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid, NotFound
from channels.input import check_bool, check_line, check_object, check_text
from channels.languages import N_
from channels.policy import Actor, check_coordinator
from channels.programme.audit import record_action
from channels.tasks.posting import post_occurrences
from channels.tasks.rules import (
    Rule,
    Settings,
    Target,
    check_rule,
    check_target,
    occurrences,
    parse_iso,
    rule_of,
    schedule_columns,
    target_of,
)
from channels.words import Count, Words
from storage import Reads, Store, Tx
from storage.records import (
    Message,
    Pair,
    TaskCounts,
    TaskOccurrence,
    TaskSchedule,
    TaskTemplate,
    User,
)

MAX_TITLE = 200
MAX_DUE_DAYS = 365
_RULE_KEYS = ("at", "pair_day", "weekly", "until", "time")
_TARGET_KEYS = ("all", "pairs", "started_between")


def is_overdue(occurrence: TaskOccurrence, now: datetime) -> bool:
    return (
        occurrence.done_at is None
        and occurrence.due_at is not None
        and parse_iso(occurrence.due_at) <= now
    )


# templates


def _check_template_fields(payload: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if not partial or "title" in payload:
        fields["title"] = check_line(
            payload, "title", max_length=MAX_TITLE, what=N_("A task's title")
        )
    if not partial or "body" in payload:
        body = check_text(
            payload,
            "body",
            max_length=MAX_BODY,
            optional=True,
            allow_empty=True,
            what=N_("A task's text"),
        )
        fields["body"] = (body or "").strip()
    if not partial or "due_days" in payload:
        due_days = payload.get("due_days")
        if due_days is not None and (
            isinstance(due_days, bool)
            or not isinstance(due_days, int)
            or not 1 <= due_days <= MAX_DUE_DAYS
        ):
            raise Invalid(
                N_("'due_days' must be a whole number from 1 to %(max_due_days)s, or null."),
                max_due_days=MAX_DUE_DAYS,
            )
        fields["due_days"] = due_days
    if not fields:
        raise Invalid(N_("Nothing to change: give a 'title', 'body' or 'due_days'."))
    return fields


_SCHEDULE_CHANGED = {
    False: N_("Changed the schedule of the task %(title)s (active)."),
    True: N_("Changed the schedule of the task %(title)s (paused)."),
}


async def _record(
    tx: Tx, actor: Actor, action: str, template: TaskTemplate, summary: Words, now: str
) -> None:
    await record_action(
        tx, actor, action, target_type="task", target_id=template.id, summary=summary, now=now
    )


async def _load_template(store: Reads, template_id: int) -> TaskTemplate:
    template = await store.load_template(template_id)
    if template is None or template.deleted_at is not None:
        raise NotFound(N_("That task does not exist."))
    return template


async def _lock_template(tx: Tx, template_id: int) -> TaskTemplate:
    """Inside a write, first: lock the template and load it as it is now, or NotFound if it
    was deleted since it was checked.  Nothing is then posted, scheduled or changed from a
    deleted task, a task is deleted once, and an edit keeps another's change made meanwhile."""
    await tx.lock_template(template_id)
    return await _load_template(tx, template_id)


async def create_template(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> TaskTemplate:
    """`payload`: {title, body?, due_days?}."""
    actor = check_coordinator(user)
    fields = _check_template_fields(check_object(payload), partial=False)

    async def insert(tx: Tx) -> TaskTemplate:
        now = iso(clock.now())
        template = await tx.insert_template(**fields, created_by=user.id, now=now)
        await _record(
            tx,
            actor,
            "task.created",
            template,
            Words(N_("Wrote the task %(title)s."), title=template.title),
            now,
        )
        return template

    return await store.write(insert)


async def edit_template(
    store: Store, user: User, template_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> TaskTemplate:
    """Change any of title, body, due_days: for occurrences not yet posted."""
    actor = check_coordinator(user)
    changes = _check_template_fields(check_object(payload), partial=True)
    template = await _load_template(store, template_id)

    async def update(tx: Tx) -> TaskTemplate:
        now = iso(clock.now())
        current = await _lock_template(tx, template.id)
        fields = {"title": current.title, "body": current.body, "due_days": current.due_days}
        updated = await tx.update_template(template.id, **(fields | changes), now=now)
        await _record(
            tx,
            actor,
            "task.edited",
            updated,
            Words(N_("Edited the task %(title)s."), title=updated.title),
            now,
        )
        return updated

    return await store.write(update)


async def delete_template(
    store: Store, user: User, template_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> None:
    """Remove the template and cancel its schedules; tasks already posted stay with the pairs."""
    actor = check_coordinator(user)
    template = await _load_template(store, template_id)

    async def delete(tx: Tx) -> None:
        now = iso(clock.now())
        await _lock_template(tx, template.id)
        await tx.delete_template(template.id, now)
        await _record(
            tx,
            actor,
            "task.deleted",
            template,
            Words(N_("Removed the task %(title)s."), title=template.title),
            now,
        )

    await store.write(delete)


@dataclass(frozen=True)
class TaskOverview:
    template: TaskTemplate
    schedules: list[TaskSchedule]
    counts: TaskCounts


async def list_tasks(
    store: Store, user: User, *, clock: Clock = SYSTEM_CLOCK
) -> list[TaskOverview]:
    check_coordinator(user)
    counts = await store.count_task_progress(iso(clock.now()))
    return [
        TaskOverview(t, await store.list_schedules(t.id), counts.get(t.id, TaskCounts()))
        for t in await store.list_templates()
    ]


async def load_task(
    store: Store, user: User, template_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> TaskOverview:
    check_coordinator(user)
    template = await _load_template(store, template_id)
    counts = await store.count_task_progress(iso(clock.now()))
    return TaskOverview(
        template, await store.list_schedules(template.id), counts.get(template.id, TaskCounts())
    )


# schedules


async def _check_target(store: Store, payload: dict[str, Any], settings: Settings) -> Target:
    target = check_target(payload, settings.zone)
    if target.kind == "pairs":
        active = {pair.id for pair in await store.list_pairs(active_only=True)}
        unknown = [pair_id for pair_id in target.pair_ids if pair_id not in active]
        if unknown:
            listed = ", ".join(str(pair_id) for pair_id in unknown)
            raise Invalid(N_("There is no active pair with id %(listed)s."), listed=listed)
    return target


async def create_schedule(
    store: Store,
    user: User,
    template_id: int,
    payload: Any,
    *,
    settings: Settings,
    clock: Clock = SYSTEM_CLOCK,
) -> TaskSchedule:
    """`payload`: a rule ({"at"}, {"pair_day", "time"} or {"weekly", "until"}) and a target
    ({"all"}, {"pairs"} or {"started_between"})."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    now = clock.now()
    rule = check_rule(payload, now, settings)
    target = await _check_target(store, payload, settings)
    template = await _load_template(store, template_id)

    async def insert(tx: Tx) -> TaskSchedule:
        await _lock_template(tx, template.id)
        schedule = await tx.insert_schedule(
            template_id=template.id,
            columns=schedule_columns(rule, target),
            created_by=user.id,
            now=iso(now),
        )
        summary = Words(N_("Scheduled the task %(title)s."), title=template.title)
        await _record(tx, actor, "task.scheduled", template, summary, iso(now))
        return schedule

    return await store.write(insert)


async def _load_schedule(store: Store, schedule_id: int) -> TaskSchedule:
    schedule = await store.load_schedule(schedule_id)
    if schedule is None:
        raise NotFound(N_("That schedule does not exist."))
    await _load_template(store, schedule.template_id)
    return schedule


async def load_schedule(store: Store, user: User, schedule_id: int) -> TaskSchedule:
    check_coordinator(user)
    return await _load_schedule(store, schedule_id)


async def count_reached(store: Store, user: User, payload: Any, *, settings: Settings) -> int:
    """How many active pairs a target reaches now: what a coordinator is told before posting."""
    check_coordinator(user)
    target = await _check_target(store, check_object(payload), settings)
    return _reached(target, await store.list_pairs(active_only=True))


async def count_schedule_reaches(store: Store, user: User, schedule_id: int) -> int:
    """How many active pairs a schedule's target reaches now: what cancelling it affects."""
    check_coordinator(user)
    schedule = await _load_schedule(store, schedule_id)
    return _reached(target_of(schedule), await store.list_pairs(active_only=True))


def _reached(target: Target, active: list[Pair]) -> int:
    return sum(1 for pair in active if target.includes(pair))


_OVER = {
    "cancelled": N_("This schedule has cancelled; make a new one instead."),
    "finished": N_("This schedule has finished; make a new one instead."),
}


async def edit_schedule(
    store: Store,
    user: User,
    schedule_id: int,
    payload: Any,
    *,
    settings: Settings,
    clock: Clock = SYSTEM_CLOCK,
) -> TaskSchedule:
    """`payload`: {"paused": true|false} and/or a new rule and/or a new target.  Tasks already
    posted stay; the new rule applies from now on, and resuming does not post what fell due
    while the schedule was paused."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    now = clock.now()
    new_rule = any(key in payload for key in _RULE_KEYS)
    new_target = any(key in payload for key in _TARGET_KEYS)
    paused = check_bool(payload, "paused") if "paused" in payload else None
    if not (new_rule or new_target or paused is not None):
        raise Invalid(N_("Nothing to change: give 'paused', a new time or a new target."))
    rule = check_rule(payload, now, settings) if new_rule else None
    target = await _check_target(store, payload, settings) if new_target else None
    schedule = await _load_schedule(store, schedule_id)
    if schedule.state in ("cancelled", "finished"):
        raise Invalid(_OVER[schedule.state])
    if schedule.kind == "now":
        raise Invalid(N_("A task that was posted at once has no schedule to change."))

    async def update(tx: Tx) -> TaskSchedule:
        updated = schedule
        if rule is not None or target is not None:
            updated = await tx.update_schedule(
                schedule.id,
                columns=schedule_columns(rule or rule_of(schedule), target or target_of(schedule)),
                now=iso(now),
            )
        if paused is not None and paused != (schedule.state == "paused"):
            state = "paused" if paused else "active"
            updated = await tx.set_schedule_state(schedule.id, state, iso(now), restart=True)
        template = await tx.load_template(schedule.template_id)
        assert template is not None  # deleting a template only hides it
        summary = Words(_SCHEDULE_CHANGED[updated.state == "paused"], title=template.title)
        await _record(tx, actor, "task.schedule_changed", template, summary, iso(now))
        return updated

    return await store.write(update)


async def cancel_schedule(
    store: Store, user: User, schedule_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> TaskSchedule:
    """Stop posting; tasks already posted stay with the pairs."""
    actor = check_coordinator(user)
    schedule = await _load_schedule(store, schedule_id)
    if schedule.state in ("cancelled", "finished"):
        return schedule

    async def cancel(tx: Tx) -> TaskSchedule:
        now = iso(clock.now())
        cancelled = await tx.set_schedule_state(schedule.id, "cancelled", now)
        template = await tx.load_template(schedule.template_id)
        assert template is not None  # deleting a template only hides it
        summary = Words(N_("Cancelled a schedule of the task %(title)s."), title=template.title)
        await _record(tx, actor, "task.schedule_cancelled", template, summary, now)
        return cancelled

    return await store.write(cancel)


@dataclass(frozen=True)
class PostedNow:
    schedule: TaskSchedule
    changes: list[Message]


async def post_now(
    store: Store,
    user: User,
    template_id: int,
    payload: Any,
    *,
    settings: Settings,
    clock: Clock = SYSTEM_CLOCK,
) -> PostedNow:
    """`payload`: a target.  Posts the task into every targeted pair channel at once."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    target = await _check_target(store, payload, settings)
    template = await _load_template(store, template_id)
    now = clock.now()
    rule = Rule("now", at=now)
    due = occurrences(
        rule, target, await store.list_pairs(active_only=True), settings.zone, now, now
    )
    if not due:
        raise Invalid(N_("No active pair matches that target, so nothing was posted."))

    async def post(tx: Tx) -> tuple[TaskSchedule, list[int]]:
        current = await _lock_template(tx, template.id)  # as it is, and not deleted meanwhile
        schedule = await tx.insert_schedule(
            template_id=current.id,
            columns=schedule_columns(rule, target),
            created_by=user.id,
            now=iso(now),
        )
        posted = await post_occurrences(tx, schedule, current, due, now, settings)
        schedule = await tx.set_schedule_state(schedule.id, "finished", iso(now))
        summary = Words(
            N_("Posted the task %(title)s into %(count)s pair channels."),
            title=current.title,
            count=Count(len(posted)),
        )
        await _record(tx, actor, "task.posted", current, summary, iso(now))
        return schedule, posted

    schedule, posted = await store.write(post)
    return PostedNow(schedule, await store.load_messages(posted))


# progress: counts and dates, never content


@dataclass(frozen=True)
class PairProgress:
    pair: Pair
    mentor: User | None
    mentee: User | None
    tasks: list[TaskOccurrence]


@dataclass(frozen=True)
class Progress:
    template: TaskTemplate
    pairs: list[PairProgress]
    now: datetime


async def _pair_progress(
    store: Store, pairs: list[Pair], by_pair: dict[int, list[TaskOccurrence]]
) -> list[PairProgress]:
    people = await store.load_users([p.mentor_id for p in pairs] + [p.mentee_id for p in pairs])
    return [
        PairProgress(pair, people.get(pair.mentor_id), people.get(pair.mentee_id), by_pair[pair.id])
        for pair in pairs
    ]


async def load_progress(
    store: Store, user: User, template_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> Progress:
    """Per pair that has this task: each occurrence's dates and whether it is done."""
    check_coordinator(user)
    template = await _load_template(store, template_id)
    by_pair: dict[int, list[TaskOccurrence]] = {}
    for occurrence in await store.list_template_occurrences(template.id):
        by_pair.setdefault(occurrence.pair_id, []).append(occurrence)
    pairs = [pair for pair in await store.list_pairs() if pair.id in by_pair]
    return Progress(template, await _pair_progress(store, pairs, by_pair), clock.now())


async def load_pair_tasks(
    store: Store, user: User, pair_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> tuple[PairProgress, datetime]:
    """Every task a pair has been given, and which are done."""
    check_coordinator(user)
    pair = await store.load_pair(pair_id)
    if pair is None:
        raise NotFound(N_("That pair does not exist."))
    tasks = await store.list_pair_occurrences(pair.id)
    (progress,) = await _pair_progress(store, [pair], {pair.id: tasks})
    return progress, clock.now()
