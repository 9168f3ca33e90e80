"""Satisfaction: when a pair ends, or when a coordinator asks for an active pair, both people
are asked two questions (1 to 5: the relationship, and progress toward the goal) and may add
a comment addressed to the coordinators.

One answer per person per request, which they may change until a coordinator closes the
request or ANSWER_DAYS pass after it opened (then it closes by itself).  A request is made in
the same write as what causes it (the pair's end, the coordinator's ask), with a notification
for each of the two and an entry in the audit log.

Who reads what: each person their own answer, never the partner's; coordinators every answer,
scores and comments alike (the comment is addressed to them).  Nothing else of the pair
reaches the coordinators through here: no goal, no message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Forbidden, Invalid, NotFound
from channels.input import check_count, check_object, check_text
from channels.languages import N_
from channels.policy import Actor, check_coordinator
from channels.programme.audit import names_of, record_action
from channels.words import Words
from storage import Store, Tx
from storage.records import Pair, SatisfactionAnswer, SatisfactionRequest, User

ANSWER_DAYS = 30
MAX_COMMENT = 2_000
SCORES = range(1, 6)
QUESTIONS = ("relationship", "progress")
REASONS = {"pair_ended": N_("the pair ended"), "coordinator": N_("a coordinator asked")}
NO_REQUEST = N_("That satisfaction form does not exist.")


def is_open(request: SatisfactionRequest, now: datetime) -> bool:
    return request.closed_at is None and iso(now) < request.closes_at


def answer_of(request: SatisfactionRequest, user_id: int) -> SatisfactionAnswer | None:
    return next((a for a in request.answers if a.user_id == user_id), None)


async def ask_in(tx: Tx, pair: Pair, actor: Actor, *, reason: str, now: datetime) -> int | None:
    """Inside a write: ask both people of the pair, notify them, and record it in the audit
    log; returns the request's id, or None when the pair has a request still open (it is not
    asked twice at once)."""
    await tx.lock_pair(pair.id)  # two asks at once: the second sees the first's request
    if await tx.load_open_satisfaction_request(pair.id, iso(now)) is not None:
        return None
    people = await tx.load_users([pair.mentee_id, pair.mentor_id])
    request_id = await tx.insert_satisfaction_request(
        pair_id=pair.id,
        reason=reason,
        requested_by=actor.id,
        people=[(pair.mentee_id, "mentee"), (pair.mentor_id, "mentor")],
        now=iso(now),
        closes_at=iso(now + timedelta(days=ANSWER_DAYS)),
    )
    await tx.add_satisfaction_notifications(
        [pair.mentee_id, pair.mentor_id],
        request_id=request_id,
        channel_id=pair.channel_id,
        actor_id=None,
        now=iso(now),
    )
    names = names_of([people[i].name for i in (pair.mentor_id, pair.mentee_id) if i in people])
    await record_action(
        tx,
        actor,
        "satisfaction.requested",
        target_type="pair",
        target_id=pair.id,
        summary=Words(
            N_("Asked %(names)s how their mentoring went (%(reason)s)."),
            names=names,
            reason=Words(REASONS[reason]),
        ),
        now=iso(now),
    )
    return request_id


async def request_satisfaction(
    store: Store, user: User, pair_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> SatisfactionRequest:
    """A coordinator asks an active pair now."""
    actor = check_coordinator(user)
    pair = await store.load_pair(pair_id)
    if pair is None:
        raise NotFound(N_("That pair does not exist."))
    if pair.ended_at is not None:
        raise Invalid(N_("That pair has ended: its two people were asked when it ended."))
    now = clock.now()

    async def ask(tx: Tx) -> int | None:
        return await ask_in(tx, pair, actor, reason="coordinator", now=now)

    request_id = await store.write(ask)
    if request_id is None:
        raise Conflict(N_("This pair has a satisfaction form open already: close it first."))
    return await _load(store, request_id)


async def _load(store: Store, request_id: int) -> SatisfactionRequest:
    request = await store.load_satisfaction_request(request_id)
    if request is None:
        raise NotFound(NO_REQUEST)
    return request


async def close_request(
    store: Store, user: User, request_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> SatisfactionRequest:
    """A coordinator stops it taking (or changing) answers before its time."""
    actor = check_coordinator(user)
    request = await _load(store, request_id)
    now = clock.now()
    if not is_open(request, now):
        raise Conflict(N_("That satisfaction form is closed already."))
    names = names_of([a.user_name for a in request.answers])

    async def close(tx: Tx) -> None:
        await tx.close_satisfaction_request(request.id, closed_by=user.id, now=iso(now))
        await record_action(
            tx,
            actor,
            "satisfaction.closed",
            target_type="pair",
            target_id=request.pair_id,
            summary=Words(N_("Closed the satisfaction form of %(names)s."), names=names),
            now=iso(now),
        )

    await store.write(close)
    return await _load(store, request.id)


# the two people of the pair


@dataclass(frozen=True)
class MyRequest:
    """A request as the person asked sees it: their own answer only, and the partner's name."""

    request: SatisfactionRequest
    answer: SatisfactionAnswer
    partner_name: str
    open: bool


def _mine(request: SatisfactionRequest, user: User, now: datetime) -> MyRequest | None:
    answer = answer_of(request, user.id)
    if answer is None:
        return None
    partner = next((a.user_name for a in request.answers if a.user_id != user.id), "")
    return MyRequest(request, answer, partner, is_open(request, now))


async def load_mine(
    store: Store, user: User, request_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> MyRequest:
    """A request `user` was asked; any other is as missing as one never made."""
    request = await store.load_satisfaction_request(request_id)
    mine = None if request is None or user.disabled else _mine(request, user, clock.now())
    if mine is None:
        raise NotFound(NO_REQUEST)
    return mine


async def list_mine(
    store: Store, user: User, *, open_only: bool = False, clock: Clock = SYSTEM_CLOCK
) -> list[MyRequest]:
    """The requests `user` was asked, newest first (`open_only`: those still taking answers)."""
    if user.disabled:
        return []
    now = clock.now()
    found = [_mine(r, user, now) for r in await store.list_satisfaction_requests(user_id=user.id)]
    return [m for m in found if m is not None and (m.open or not open_only)]


_UNSCORED = {  # the sentence when a score is missing
    "relationship": N_("Choose a number from 1 to 5 for your relationship ('relationship')."),
    "progress": N_("Choose a number from 1 to 5 for progress toward the goal ('progress')."),
}


def _check_score(payload: dict[str, Any], key: str) -> int:
    if payload.get(key) is None:
        raise Invalid(_UNSCORED[key])
    return check_count(payload, key, default=0, low=SCORES[0], high=SCORES[-1])


async def answer_request(
    store: Store, user: User, request_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> MyRequest:
    """`payload`: {relationship: 1-5, progress: 1-5, comment?}: the person's answer, first or
    changed, while the request is open.  Their notification about it is read."""
    payload = check_object(payload)
    mine = await load_mine(store, user, request_id, clock=clock)
    scores = {key: _check_score(payload, key) for key in QUESTIONS}
    comment = check_text(
        payload,
        "comment",
        max_length=MAX_COMMENT,
        optional=True,
        allow_empty=True,
        what=N_("A comment"),
    )
    if not mine.open:
        raise Forbidden(N_("This form is closed: its answers can no longer be changed."))
    now = iso(clock.now())

    async def save(tx: Tx) -> None:
        await tx.save_satisfaction_answer(
            mine.request.id,
            user.id,
            relationship=scores["relationship"],
            progress=scores["progress"],
            comment=(comment or "").strip(),
            now=now,
        )
        await tx.mark_satisfaction_notifications_read(user.id, mine.request.id, now)

    await store.write(save)
    return await load_mine(store, user, request_id, clock=clock)


# coordinators


async def list_requests(store: Store, user: User) -> list[SatisfactionRequest]:
    """Every request, newest first, with who answered, their scores and comments."""
    check_coordinator(user)
    return await store.list_satisfaction_requests()


def latest_by_pair(requests: list[SatisfactionRequest]) -> dict[int, SatisfactionRequest]:
    """Each pair's latest request, of `requests` (newest first, as listed)."""
    latest: dict[int, SatisfactionRequest] = {}
    for request in requests:
        latest.setdefault(request.pair_id, request)
    return latest


@dataclass(frozen=True)
class Distribution:
    """How many answers gave each score, per question and role (counts[question][role] is a
    list of five counts, for 1 to 5), and how many people were asked and answered."""

    counts: dict[str, dict[str, list[int]]]
    asked: int
    answered: int


async def score_distribution(store: Store, user: User) -> Distribution:
    """The distribution of every answer so far: for the coordinators and the reports.
    (Consent and small-cell suppression are the reports' to apply when they come.)"""
    check_coordinator(user)
    counts = {q: {role: [0] * len(SCORES) for role in ("mentee", "mentor")} for q in QUESTIONS}
    for row in await store.count_satisfaction_scores():
        counts[row.question][row.role][row.score - SCORES[0]] = row.count
    asked, answered = await store.count_satisfaction_answers()
    return Distribution(counts, asked, answered)
