"""A pair's goals: the mentee (or the mentor with her) writes goals, each with a few
milestones and a status; either of the two changes them; once the pair has ended they can
only be read.

Goal and milestone words are pair content, read by the same rule as the pair's channel: the
two people of the pair, and nobody else (coordinators included) — anyone else asking for a
goal gets the same `not_found` as for one that never existed.  Coordinators get numbers
(`count_goals`).

Each goal has a card in the pair channel: a message (kind 'text', "Added a goal.") linked to
the goal, posted when the goal is added.  Every change to the goal or its milestones gives the
card its channel's next seq in the same write, so the partner's open page and any client that
syncs draws it again (as library cards do, channels/library/resources.py).  The card's own
words are only that sentence: the goal's title and milestones are drawn from the goal when the
card is read, so they are never in a message body, and so never in search, digests or mail.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from channels.chat import messages
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Forbidden, Invalid, NotFound
from channels.input import (
    check_bool,
    check_changes,
    check_choice,
    check_line,
    check_object,
)
from channels.languages import N_
from channels.policy import NO_CHANNEL, Action, allows, check_allowed, check_coordinator
from channels.research.usage import count_use
from storage import Store, Tx
from storage.records import Channel, Goal, GoalCounts, Message, Pair, User

STATUSES = {
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "achieved": N_("Achieved"),
    "dropped": N_("Dropped"),
}
MAX_TITLE = 200
MAX_MILESTONES = 10
MAX_GOALS = 20
CARD_BODY = "Added a goal."
NO_GOAL = N_("That goal does not exist.")
NO_MILESTONE = N_("That milestone does not exist.")
NOT_A_PAIR = N_("Goals belong to a mentoring pair: this conversation has none.")
ENDED = N_("This pair has ended: its goals can still be read, but not changed.")


@dataclass(frozen=True)
class PairGoals:
    """What the goals page and GET .../goals show: the pair's goals in order, and whether the
    reader may change them (not once the pair has ended)."""

    channel: Channel
    pair: Pair
    goals: list[Goal]
    can_change: bool


@dataclass(frozen=True)
class GoalChange:
    """A goal as changed (None once removed), and its card as changed (to send to the pair
    channel's room after the commit).  `created` is False for a repeated client_id."""

    goal: Goal | None
    changes: list[Message]
    created: bool = False


def _may_change(user: User, channel: Channel) -> bool:
    return allows(user, channel, Action.POST, is_member=True)


async def _pair_channel(
    store: Store, user: User, channel_id: int, *, change: bool, missing: str = NO_CHANNEL
) -> tuple[Channel, Pair]:
    """The pair channel `user` may read (else `missing`), and its pair; with `change`, one
    they may also change goals in."""
    channel = await check_allowed(store, user, channel_id, Action.READ, missing=missing)
    pair = await store.load_pair_by_channel(channel.id) if channel.kind == "pair" else None
    if pair is None:
        raise Invalid(NOT_A_PAIR)
    if change and not _may_change(user, channel):
        raise Forbidden(ENDED if channel.archived else N_("You cannot change these goals."))
    return channel, pair


async def _load_goal(store: Store, user: User, goal_id: int, *, change: bool) -> Goal:
    goal = await store.load_goal(goal_id)
    if goal is None:
        raise NotFound(NO_GOAL)
    await _pair_channel(store, user, goal.channel_id, change=change, missing=NO_GOAL)
    return goal


def _check_title(payload: dict[str, Any], what: str = N_("A goal")) -> str:
    return check_line(payload, "title", max_length=MAX_TITLE, what=what)


def _check_status(payload: dict[str, Any]) -> str:
    return check_choice(payload, "status", STATUSES, what=N_("A goal's status"))


def _check_milestones(payload: dict[str, Any]) -> list[str]:
    """`milestones`: a list of up to MAX_MILESTONES titles (empty ones left out)."""
    given = payload.get("milestones", [])
    if given is None:
        return []
    if not isinstance(given, list) or not all(isinstance(t, str) for t in given):
        raise Invalid(N_("'milestones' must be a list of texts."))
    titles = [
        check_line({"title": t}, "title", max_length=MAX_TITLE, what=N_("A milestone"))
        for t in given
        if t.strip()
    ]
    if len(titles) > MAX_MILESTONES:
        raise Invalid(
            N_("A goal can have at most %(max_milestones)s milestones."),
            max_milestones=MAX_MILESTONES,
        )
    return titles


async def list_goals(store: Store, user: User, channel_id: int) -> PairGoals:
    channel, pair = await _pair_channel(store, user, channel_id, change=False)
    goals = await store.list_goals(pair.id)
    return PairGoals(channel, pair, goals, _may_change(user, channel))


async def load_goal(store: Store, user: User, goal_id: int) -> Goal:
    return await _load_goal(store, user, goal_id, change=False)


async def _card(tx: Tx, goal: Goal, user: User, now: str) -> list[int]:
    """Inside a write that changed the goal: the goal's card takes its channel's next seq
    (returns its id), and the change counts in the usage record."""
    await count_use(tx, user.id, "goal.changed", now)
    if goal.message_id is None:
        return []
    await tx.touch_message(goal.message_id, seq=await tx.next_seq(goal.channel_id))
    return [goal.message_id]


async def _changed(store: Store, goal_id: int, card_ids: list[int]) -> GoalChange:
    """After a write: the goal and its card, as they are now."""
    goal = await store.load_goal(goal_id)
    return GoalChange(goal, await store.load_messages(card_ids) if card_ids else [])


async def add_goal(
    store: Store, user: User, channel_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> GoalChange:
    """`payload`: {title, status?, milestones?: [title, ...], client_id?}.  Last among the
    pair's goals, with its card posted in the pair channel by `user`.  The same client_id
    from the same person again returns the first goal and adds nothing."""
    payload = check_object(payload)
    channel, pair = await _pair_channel(store, user, channel_id, change=True)
    title = _check_title(payload)
    status = _check_status(payload) if payload.get("status") is not None else "not_started"
    milestones = _check_milestones(payload)
    card = await messages.check_post(
        store,
        user,
        {"channel_id": channel.id, "body": CARD_BODY, "client_id": payload.get("client_id")},
        what=N_("A goal"),
    )
    now = iso(clock.now())

    async def insert(tx: Tx, message_id: int) -> int:
        if len(await tx.list_goals(pair.id)) >= MAX_GOALS:
            raise Invalid(
                N_("A pair can have at most %(max_goals)s goals: drop or remove one first."),
                max_goals=MAX_GOALS,
            )
        goal_id = await tx.insert_goal(
            pair_id=pair.id, title=title, status=status, created_by=user.id, now=now
        )
        await tx.insert_milestones(goal_id, milestones)
        await tx.link_goal_card(message_id, goal_id)
        await count_use(tx, user.id, "goal.changed", now)
        return goal_id

    posted, _ = await messages.do_post(store, user, card, now=now, also=insert, counted=False)
    shown = await store.load_message(posted.message.id)  # with its goal
    assert shown is not None
    if shown.goal is None:  # a client_id this person first used for something else
        raise Conflict(N_("That client_id was already used for a message that is not a goal."))
    if not posted.created:
        return GoalChange(shown.goal, [])
    # The card as loaded (with its goal), saying whether its post notified anyone.
    return GoalChange(shown.goal, [replace(shown, notified=posted.message.notified)], True)


async def _current(tx: Tx, goal_id: int, missing: str = NO_GOAL) -> Goal:
    """Inside a write: the goal as it is now (the partner may have removed it a moment ago),
    locked until the commit, so that what the write checks (at most N milestones) holds."""
    await tx.lock_goal(goal_id)
    goal = await tx.load_goal(goal_id)
    if goal is None:
        raise NotFound(missing)
    return goal


async def change_goal(
    store: Store, user: User, goal_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> GoalChange:
    """`payload`: any of {title, status}.  The same values again change nothing."""
    payload = check_changes(payload, ["title", "status"])
    goal = await _load_goal(store, user, goal_id, change=True)
    title = _check_title(payload) if "title" in payload else None
    status = _check_status(payload) if "status" in payload else None
    now = iso(clock.now())

    async def update(tx: Tx) -> list[int]:
        current = await _current(tx, goal.id)
        wanted = (title or current.title, status or current.status)
        if wanted == (current.title, current.status):
            return []  # as it is already (perhaps the partner's change, a moment ago)
        await tx.update_goal(
            goal.id, title=wanted[0], status=wanted[1], updated_by=user.id, now=now
        )
        return await _card(tx, current, user, now)

    return await _changed(store, goal.id, await store.write(update))


async def remove_goal(
    store: Store, user: User, goal_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> GoalChange:
    """Gone for good, milestones and words with it; its card becomes a deleted message."""
    goal = await _load_goal(store, user, goal_id, change=True)
    now = iso(clock.now())

    async def remove(tx: Tx) -> list[int]:
        current = await _current(tx, goal.id)
        await tx.delete_goal(current.id)
        await count_use(tx, user.id, "goal.changed", now)
        if current.message_id is None:
            return []
        seq = await tx.next_seq(current.channel_id)
        await tx.mark_message_deleted(current.message_id, seq=seq, now=now)
        return [current.message_id]

    removed = await store.write(remove)
    return GoalChange(None, await store.load_messages(removed) if removed else [])


async def add_milestone(
    store: Store, user: User, goal_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> GoalChange:
    """`payload`: {title}: a milestone after the goal's last one."""
    payload = check_object(payload)
    goal = await _load_goal(store, user, goal_id, change=True)
    title = _check_title(payload, N_("A milestone"))
    now = iso(clock.now())

    async def insert(tx: Tx) -> list[int]:
        current = await _current(tx, goal.id)
        if len(current.milestones) >= MAX_MILESTONES:
            raise Invalid(
                N_("A goal can have at most %(max_milestones)s milestones."),
                max_milestones=MAX_MILESTONES,
            )
        await tx.insert_milestones(goal.id, [title])
        await tx.mark_goal_changed(goal.id, updated_by=user.id, now=now)
        return await _card(tx, current, user, now)

    return await _changed(store, goal.id, await store.write(insert))


async def _load_milestone(
    store: Store, user: User, milestone_id: int, *, change: bool = True
) -> tuple[Goal, int]:
    milestone = await store.load_milestone(milestone_id)
    goal = None if milestone is None else await store.load_goal(milestone.goal_id)
    if milestone is None or goal is None:
        raise NotFound(NO_MILESTONE)
    await _pair_channel(store, user, goal.channel_id, change=change, missing=NO_MILESTONE)
    return goal, milestone.id


async def goal_of_milestone(store: Store, user: User, milestone_id: int) -> Goal:
    """The goal a milestone `user` may read belongs to."""
    return (await _load_milestone(store, user, milestone_id, change=False))[0]


async def change_milestone(
    store: Store, user: User, milestone_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> GoalChange:
    """`payload`: any of {title, done}.  Ticking a milestone that is ticked changes nothing."""
    payload = check_changes(payload, ["title", "done"])
    goal, milestone_id = await _load_milestone(store, user, milestone_id)
    title = _check_title(payload, N_("A milestone")) if "title" in payload else None
    done = check_bool(payload, "done") if "done" in payload else None
    now = iso(clock.now())

    async def update(tx: Tx) -> list[int]:
        current = await _current(tx, goal.id, NO_MILESTONE)
        milestone = next((m for m in current.milestones if m.id == milestone_id), None)
        if milestone is None:
            raise NotFound(NO_MILESTONE)
        was_done = milestone.done_at is not None
        wanted = (title or milestone.title, was_done if done is None else done)
        if wanted == (milestone.title, was_done):
            return []  # as it is already (perhaps the partner's change, a moment ago)
        done_at, done_by = milestone.done_at, milestone.done_by
        if wanted[1] != was_done:
            done_at, done_by = (now, user.id) if wanted[1] else (None, None)
        await tx.update_milestone(milestone.id, title=wanted[0], done_at=done_at, done_by=done_by)
        await tx.mark_goal_changed(goal.id, updated_by=user.id, now=now)
        return await _card(tx, current, user, now)

    return await _changed(store, goal.id, await store.write(update))


async def remove_milestone(
    store: Store, user: User, milestone_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> GoalChange:
    goal, milestone_id = await _load_milestone(store, user, milestone_id)
    now = iso(clock.now())

    async def remove(tx: Tx) -> list[int]:
        current = await _current(tx, goal.id, NO_MILESTONE)
        if all(m.id != milestone_id for m in current.milestones):
            raise NotFound(NO_MILESTONE)
        await tx.delete_milestone(milestone_id)
        await tx.mark_goal_changed(goal.id, updated_by=user.id, now=now)
        return await _card(tx, current, user, now)

    return await _changed(store, goal.id, await store.write(remove))


async def count_goals(store: Store, user: User) -> list[GoalCounts]:
    """For coordinators (and, later, the reports): per pair, how many goals it has by status
    and how many milestones are done.  Numbers only, every pair (none: zeros)."""
    check_coordinator(user)
    counts = await store.count_goals_by_pair()
    return [counts.get(pair.id, GoalCounts(pair.id)) for pair in await store.list_pairs()]
