"""What people do with questionnaires: see those that ask them, open one, answer it, and change
a named answer until it closes.

A questionnaire that does not ask you (or has not opened yet) does not exist for you: the same
`not_found` as an id never used.  An anonymous answer is written with no link to its author:
held sealed in one write, the person recorded as having answered in another, and released into
the answers, under a random key and with no time, in a shuffled batch of several people's
(releasing.py).  So it can be given once and never changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, NotFound
from channels.languages import N_
from channels.questionnaires.audience import ROLES, audience_of, state_of
from channels.questionnaires.questions import check_answers
from channels.questionnaires.releasing import release_due
from channels.questionnaires.sealing import Seal
from channels.research.usage import count_use
from channels.tasks.rules import parse_iso
from storage import Store, Tx
from storage.records import AnswerSet, Pair, Question, Questionnaire, User

NOT_FOR_YOU = N_("There is no such questionnaire for you.")
CLOSED = N_("This questionnaire has closed: it no longer takes answers.")
ANSWERED_ANONYMOUSLY = N_(
    "You have answered already. Anonymous answers are kept without your name, so they cannot "
    "be changed."
)
MAX_CLOSED_LISTED = 20
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mine:
    questionnaire: Questionnaire
    state: str  # 'open' or 'closed'
    answered: bool


async def _pairs_of(store: Store, user: User) -> list[Pair]:
    return await store.list_pairs_of(user.id)


def _visible(
    questionnaire: Questionnaire, user: User, pairs: list[Pair], answered: bool, now: datetime
) -> bool:
    audience = audience_of(questionnaire)
    if audience is None or now < audience.opens_at:
        return False
    return answered or audience.asks(user, pairs)


async def list_mine(
    store: Store, user: User, *, clock: Clock = SYSTEM_CLOCK, open_only: bool = False
) -> list[Mine]:
    """The questionnaires that ask this person and have opened: the open ones, soonest to close
    first, then (unless `open_only`) the latest closed ones."""
    if user.role not in ROLES or user.disabled:
        return []
    now = clock.now()
    pairs = await _pairs_of(store, user)
    answered = await store.list_answered_by(user.id)
    assigned = await store.list_assigned_questionnaires(
        closes_after=iso(now) if open_only else None
    )
    found = [
        Mine(q, state_of(q, now), q.id in answered)
        for q in assigned
        if _visible(q, user, pairs, q.id in answered, now)
    ]
    opened = [m for m in found if m.state == "open"]
    closed = [m for m in reversed(found) if m.state == "closed"][:MAX_CLOSED_LISTED]
    return opened + closed


async def count_waiting(store: Store, user: User, *, clock: Clock = SYSTEM_CLOCK) -> int:
    """Open questionnaires this person has not answered yet (the count in the menu)."""
    waiting = await list_mine(store, user, clock=clock, open_only=True)
    return sum(1 for m in waiting if m.state == "open" and not m.answered)


@dataclass(frozen=True)
class Answering:
    """A questionnaire as the person answering it sees it, with their own named answers."""

    questionnaire: Questionnaire
    questions: list[Question]
    state: str
    answered: bool
    mine: AnswerSet | None  # their named answers (never for an anonymous questionnaire)


async def load_answering(
    store: Store, user: User, questionnaire_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> Answering:
    questionnaire = await store.load_questionnaire(questionnaire_id)
    if questionnaire is None or user.role not in ROLES or user.disabled:
        raise NotFound(NOT_FOR_YOU)
    now = clock.now()
    answered = questionnaire.id in await store.list_answered_by(user.id)
    if not _visible(questionnaire, user, await _pairs_of(store, user), answered, now):
        raise NotFound(NOT_FOR_YOU)
    mine = None
    if answered and not questionnaire.anonymous:
        mine = await store.load_named_answers(questionnaire.id, user.id)
    return Answering(
        questionnaire,
        await store.list_questions(questionnaire.id),
        state_of(questionnaire, now),
        answered,
        mine,
    )


@dataclass(frozen=True)
class Answered:
    answering: Answering
    first: bool  # False: a named answer changed


async def _check_still_open(tx: Tx, questionnaire_id: int, clock: Clock) -> None:
    """Under the questionnaire's lock: not closed since we looked (the clock read now, so that
    nothing is recorded once a release has seen it closed)."""
    await tx.lock_questionnaire(questionnaire_id)
    current = await tx.load_questionnaire(questionnaire_id)
    if current is None or current.closes_at is None or parse_iso(current.closes_at) <= clock.now():
        raise Conflict(CLOSED)


async def submit_answers(
    store: Store,
    user: User,
    questionnaire_id: int,
    payload: Any,
    *,
    seal: Seal,
    clock: Clock = SYSTEM_CLOCK,
) -> Answered:
    """`payload`: {answers: {question id: answer}}.  Every answer is checked first; nothing is
    kept if one is wrong.  A named answer replaces the person's earlier one until it closes.
    An anonymous one is held under `seal` and released later (releasing.py)."""
    answering = await load_answering(store, user, questionnaire_id, clock=clock)
    questionnaire = answering.questionnaire
    if answering.state != "open":
        raise Conflict(CLOSED)
    if answering.answered and questionnaire.anonymous:
        raise Conflict(ANSWERED_ANONYMOUSLY)
    answers = check_answers(answering.questions, payload)
    now = clock.now()

    async def record(tx: Tx, first: bool) -> None:
        await tx.mark_questionnaire_notifications_read(user.id, questionnaire.id, iso(now))
        if first:
            await count_use(tx, user.id, "questionnaire.answered", iso(now))

    async def save_named(tx: Tx) -> bool:
        await _check_still_open(tx, questionnaire.id, clock)
        first = await tx.save_named_answers(questionnaire.id, user.id, answers, iso(now))
        await tx.add_respondent(questionnaire.id, user.id, user.role)
        await record(tx, first)
        return first

    async def hold(tx: Tx) -> None:
        # The sealed answers, in a write that names nobody.
        await _check_still_open(tx, questionnaire.id, clock)
        if questionnaire.id in await tx.list_answered_by(user.id):
            raise Conflict(ANSWERED_ANONYMOUSLY)
        await tx.hold_anonymous_answers(
            questionnaire.id,
            seal.holder(questionnaire.id, user.id),
            seal.seal(questionnaire.id, answers),
        )

    async def record_anonymous(tx: Tx) -> bool:
        # That they answered, in a write of its own: it holds no answer.
        await _check_still_open(tx, questionnaire.id, clock)
        if not await tx.add_respondent(questionnaire.id, user.id, user.role):
            raise Conflict(ANSWERED_ANONYMOUSLY)
        await record(tx, True)
        return True

    if questionnaire.anonymous:
        await store.write(hold)
        first = await store.write(record_anonymous)
        try:
            await release_due(store, seal, questionnaire.id, clock.now())
        except Exception:  # the answer is kept: the runner's next pass releases what is due
            log.exception("releasing the answers of questionnaire %d failed", questionnaire.id)
    else:
        first = await store.write(save_named)
    return Answered(await load_answering(store, user, questionnaire.id, clock=clock), first)
