"""Matching mentors with mentees: pair, suggest, end, and watch activity as numbers.

A mentee has one mentor at a time; a mentor may have several mentees.  Ending a pair makes
its channel read-only for the two of them and keeps it confidential: nobody else ever reads
it, coordinators included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import storage
from channels.chat import notices
from channels.chat.directory import NewPair, do_create_pair
from channels.chat.messages import add_message
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Invalid, NotFound
from channels.goals import satisfaction
from channels.input import check_id, check_object
from channels.languages import N_, role_word
from channels.policy import PARTICIPANTS, check_coordinator
from channels.programme.audit import names_of, record_action
from channels.tasks.rules import parse_iso
from channels.words import Words
from storage import Store, Tx
from storage.records import Channel, Message, Pair, PairActivity, User

ACTIVITY_WEEKS = 8
_STOP_WORDS = {"and", "of", "the", "in", "for", "to", "a", "an", "&", "with"}
ENDED_NOTICE = notices.written("pair.ended")


async def _load_person(store: Store, user_id: int, role: str) -> User:
    person = await store.load_user(user_id)
    if person is None:
        raise NotFound(
            N_("There is no %(role)s with id %(user_id)s."), role=role_word(role), user_id=user_id
        )
    if person.role != role:
        raise Invalid(
            N_("%(name)s is a %(their_role)s, not a %(role)s."),
            name=person.name,
            their_role=role_word(person.role),
            role=role_word(role),
        )
    if person.disabled:
        raise Invalid(
            N_("%(name)s's account is disabled: enable it before pairing."), name=person.name
        )
    return person


async def pair_users(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> NewPair:
    """`payload`: {mentor_id, mentee_id}.  Creates the private channel and its welcome."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    mentor = await _load_person(store, check_id(payload, "mentor_id"), "mentor")
    mentee = await _load_person(store, check_id(payload, "mentee_id"), "mentee")
    current = await store.load_active_pair_of_mentee(mentee.id)
    if current is not None:
        who = await store.load_user(current.mentor_id)
        raise Conflict(
            N_(
                "%(name)s already has a mentor (%(mentor)s)."
                " End that pair first to pair them with someone else."
            ),
            name=mentee.name,
            mentor=who.name if who else Words(N_("unknown")),
        )
    now = iso(clock.now())
    try:

        async def insert(tx: Tx) -> tuple[Pair, int]:
            pair, message_id = await do_create_pair(tx, mentor, mentee, now)
            await record_action(
                tx,
                actor,
                "pair.created",
                target_type="pair",
                target_id=pair.id,
                summary=Words(
                    N_("Paired mentor %(mentor)s with mentee %(mentee)s."),
                    mentor=mentor.name,
                    mentee=mentee.name,
                ),
                now=now,
            )
            return pair, message_id

        pair, message_id = await store.write(insert)
    except storage.IntegrityError:
        raise Conflict(
            N_("%(name)s was paired by someone else just now."), name=mentee.name
        ) from None
    channel = await store.load_channel(pair.channel_id)
    welcome = await store.load_message(message_id)
    assert channel is not None and welcome is not None
    return NewPair(pair, channel, welcome)


@dataclass(frozen=True)
class EndedPair:
    pair: Pair
    channel: Channel
    notice: Message  # the system message saying so, for the pair's open channel
    satisfaction_id: int | None = None  # both were asked how it went (None: asked already)


async def end_pair(
    store: Store, user: User, pair_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> EndedPair:
    actor = check_coordinator(user)
    pair = await store.load_pair(pair_id)
    if pair is None:
        raise NotFound(N_("That pair does not exist."))
    if pair.ended_at is not None:
        raise Conflict(N_("That pair has already ended."))
    people = await store.load_users([pair.mentor_id, pair.mentee_id])
    names = names_of([people[i].name for i in (pair.mentor_id, pair.mentee_id) if i in people])
    moment = clock.now()
    now = iso(moment)

    async def end(tx: Tx) -> tuple[int, int | None]:
        if not await tx.end_pair(pair.id, now):  # two coordinators at once: one ends it
            raise Conflict(N_("That pair has already ended."))
        await tx.set_channel_archived(pair.channel_id, True)
        notice_id = (
            await add_message(
                tx,
                channel_id=pair.channel_id,
                author_id=None,
                kind="system",
                body=ENDED_NOTICE.body,
                html=ENDED_NOTICE.html,
                notice=ENDED_NOTICE.notice,
                now=now,
            )
        ).id
        await record_action(
            tx,
            actor,
            "pair.ended",
            target_type="pair",
            target_id=pair.id,
            summary=Words(N_("Ended the pair of %(names)s."), names=names),
            now=now,
        )
        asked = await satisfaction.ask_in(tx, pair, actor, reason="pair_ended", now=moment)
        return notice_id, asked

    notice_id, asked = await store.write(end)
    ended = await store.load_pair(pair.id)
    channel = await store.load_channel(pair.channel_id)
    notice = await store.load_message(notice_id)
    assert ended is not None and channel is not None and notice is not None
    return EndedPair(ended, channel, notice, asked)


REOPEN_DAYS = 7
REOPENED_NOTICE = notices.written("pair.reopened")


def can_reopen(pair: Pair, now: datetime) -> bool:
    """Ended, and recently enough to be undone."""
    return pair.ended_at is not None and now - parse_iso(pair.ended_at) <= timedelta(
        days=REOPEN_DAYS
    )


async def reopen_pair(
    store: Store, user: User, pair_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> EndedPair:
    """Undo an ending within REOPEN_DAYS: the channel takes messages again, and says so.
    Refused when either person is disabled or the mentee has a mentor again."""
    actor = check_coordinator(user)
    pair = await store.load_pair(pair_id)
    if pair is None:
        raise NotFound(N_("That pair does not exist."))
    moment = clock.now()
    if pair.ended_at is None:
        raise Conflict(N_("That pair has not ended."))
    if not can_reopen(pair, moment):
        raise Conflict(
            N_(
                "A pair can be reopened within %(reopen_days)s days of ending. Pair them again instead: they will get a new channel."
            ),
            reopen_days=REOPEN_DAYS,
        )
    people = await store.load_users([pair.mentor_id, pair.mentee_id])
    mentor, mentee = people[pair.mentor_id], people[pair.mentee_id]
    for person in (mentor, mentee):
        if person.disabled or person.role not in PARTICIPANTS:
            raise Conflict(
                N_("%(name)s can no longer be in this pair: see their account."), name=person.name
            )
    if await store.load_active_pair_of_mentee(mentee.id) is not None:
        raise Conflict(N_("%(name)s has a mentor again: end that pair first."), name=mentee.name)
    now = iso(moment)

    async def reopen(tx: Tx) -> int:
        if not await tx.reopen_pair(pair.id):
            raise Conflict(N_("That pair is open already."))
        await tx.set_channel_archived(pair.channel_id, False)
        added = await add_message(
            tx,
            channel_id=pair.channel_id,
            author_id=None,
            kind="system",
            body=REOPENED_NOTICE.body,
            html=REOPENED_NOTICE.html,
            notice=REOPENED_NOTICE.notice,
            now=now,
        )
        await record_action(
            tx,
            actor,
            "pair.reopened",
            target_type="pair",
            target_id=pair.id,
            summary=Words(
                N_("Reopened the pair of %(names)s."), names=names_of([mentor.name, mentee.name])
            ),
            now=now,
        )
        return added.id

    try:
        notice_id = await store.write(reopen)
    except storage.IntegrityError:
        raise Conflict(
            N_("%(name)s was paired by someone else just now."), name=mentee.name
        ) from None
    reopened = await store.load_pair(pair.id)
    channel = await store.load_channel(pair.channel_id)
    notice = await store.load_message(notice_id)
    assert reopened is not None and channel is not None and notice is not None
    return EndedPair(reopened, channel, notice)


@dataclass(frozen=True)
class PairOverview:
    pair: Pair
    mentor: User
    mentee: User
    activity: PairActivity


async def list_pairs(
    store: Store, user: User, *, active_only: bool = False, clock: Clock = SYSTEM_CLOCK
) -> list[PairOverview]:
    """Every pair with its activity as numbers: messages per week and the last activity."""
    check_coordinator(user)
    pairs = await store.list_pairs(active_only=active_only)
    people = await store.load_users([i for p in pairs for i in (p.mentor_id, p.mentee_id)])
    now = clock.now()
    activity = await store.list_pair_activity(
        now=iso(now), weeks=ACTIVITY_WEEKS, since=iso(now - timedelta(weeks=ACTIVITY_WEEKS))
    )
    none = PairActivity(0, 0, (0,) * ACTIVITY_WEEKS, None)
    return [
        PairOverview(p, people[p.mentor_id], people[p.mentee_id], activity.get(p.id, none))
        for p in pairs
    ]


@dataclass(frozen=True)
class Suggestion:
    mentor: User
    shared: tuple[str, ...]  # words of the field of expertise they share
    same_field: bool
    active_mentees: int
    reason: str


def _words(expertise: str) -> set[str]:
    return {w for w in re.findall(r"\w+", expertise.lower()) if w not in _STOP_WORDS}


def _reason(mentee: User, mentor: User, same: bool, shared: set[str], load: int) -> str:
    if same:
        field = f"Same field of expertise ({mentor.expertise})"
    elif shared:
        field = f"Related field: {mentor.expertise} (shares “{', '.join(sorted(shared))}”)"
    else:
        field = f"Different field: {mentor.expertise or 'not given'}"
    mentees = "no mentees now" if load == 0 else f"{load} mentee{'s' if load != 1 else ''} now"
    return f"{field}; {mentees}."


async def suggest_mentors(store: Store, user: User, mentee_id: int) -> list[Suggestion]:
    """Mentors for a mentee, best first: same field of expertise, then most shared words,
    then fewest current mentees.  The coordinator decides."""
    check_coordinator(user)
    mentee = await store.load_user(mentee_id)
    if mentee is None:
        raise NotFound(N_("That person does not exist."))
    if mentee.role != "mentee":
        raise Invalid(
            N_("%(name)s is a %(role)s: suggestions are for mentees."),
            name=mentee.name,
            role=role_word(mentee.role),
        )
    current = await store.load_active_pair_of_mentee(mentee.id)
    loads = await store.count_mentees_by_mentor()
    wanted = _words(mentee.expertise)
    target = " ".join(mentee.expertise.lower().split())
    suggestions = []
    for mentor in await store.list_users("mentor"):
        if mentor.disabled or (current is not None and current.mentor_id == mentor.id):
            continue
        same = bool(target) and " ".join(mentor.expertise.lower().split()) == target
        shared = wanted & _words(mentor.expertise)
        load = loads.get(mentor.id, 0)
        suggestions.append(
            Suggestion(
                mentor,
                tuple(sorted(shared)),
                same,
                load,
                _reason(mentee, mentor, same, shared, load),
            )
        )
    suggestions.sort(
        key=lambda s: (not s.same_field, -len(s.shared), s.active_mentees, s.mentor.name)
    )
    return suggestions
