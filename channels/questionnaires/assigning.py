"""What coordinators do with a questionnaire once it is written: assign it (who, from when,
until when), take it back before it opens, move its closing date, close it now; and the lists
they see (each questionnaire with its state and how many of those asked have answered).

Opening is the delivery's work (`channels.questionnaires.delivery`): the cards and the first
notification go out when `opens_at` comes, from the runner, exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Invalid
from channels.input import check_changes
from channels.languages import N_
from channels.policy import check_coordinator
from channels.questionnaires.audience import (
    Assignment,
    Population,
    audience_of,
    check_assignment,
    check_closes_at,
    describe_audience,
    load_population,
    reach,
    state_of,
)
from channels.questionnaires.building import (
    check_never_opened,
    check_still_draft,
    load_existing,
    record,
)
from channels.readers import Time
from channels.tasks.rules import Settings
from channels.words import Words
from storage import Store, Tx
from storage.records import Message, Question, Questionnaire, User


async def _check_pairs(store: Store, assignment: Assignment) -> None:
    if assignment.target.kind != "pairs":
        return
    known = {pair.id for pair in await store.list_pairs()}
    unknown = [pair_id for pair_id in assignment.target.pair_ids if pair_id not in known]
    if unknown:
        raise Invalid(
            N_("There is no pair with id %(ids)s."), ids=", ".join(str(i) for i in unknown)
        )


async def assign(
    store: Store,
    user: User,
    questionnaire_id: int,
    payload: Any,
    *,
    settings: Settings,
    clock: Clock = SYSTEM_CLOCK,
) -> Questionnaire:
    """`payload`: who (a target and `roles`) and when (`opens_at`?, `closes_at`); see
    `audience.check_assignment`.  A draft with at least one question only."""
    actor = check_coordinator(user)
    now = clock.now()
    assignment = check_assignment(payload, now, settings)
    await _check_pairs(store, assignment)
    questionnaire = await load_existing(store, questionnaire_id)
    if questionnaire.assigned_at is not None:
        raise Conflict(
            N_("It is assigned already. Change its closing date, or take it back first.")
        )
    if not await store.list_questions(questionnaire.id):
        raise Invalid(N_("Add at least one question before you assign it."))

    async def update(tx: Tx) -> Questionnaire:
        await check_still_draft(tx, questionnaire.id)
        assigned = await tx.assign_questionnaire(
            questionnaire.id, columns=assignment.columns(), now=iso(now)
        )
        audience = audience_of(assigned)
        assert audience is not None
        summary = Words(
            N_(
                "Assigned the questionnaire %(title)s to %(audience)s, open %(opens)s until %(closes)s."
            ),
            title=assigned.title,
            audience=describe_audience(audience),
            opens=Time(audience.opens_at, settings.calendar),
            closes=Time(audience.closes_at, settings.calendar),
        )
        await record(tx, actor, "assigned", assigned, summary, iso(now))
        return assigned

    return await store.write(update)


_STAYS_ASSIGNED = {
    "open": N_("It is open: people have seen it, so it stays assigned. Close it instead."),
    "closed": N_("It is closed: people have seen it, so it stays assigned. Close it instead."),
}


async def unassign(
    store: Store, user: User, questionnaire_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> Questionnaire:
    """Back to a draft, before it opens (nobody has seen it yet)."""
    actor = check_coordinator(user)
    questionnaire = await load_existing(store, questionnaire_id)
    state = state_of(questionnaire, clock.now())
    if state == "draft":
        return questionnaire
    if state != "scheduled":
        raise Conflict(_STAYS_ASSIGNED[state])

    async def update(tx: Tx) -> Questionnaire:
        now = iso(clock.now())
        await check_never_opened(tx, questionnaire.id)
        draft = await tx.unassign_questionnaire(questionnaire.id, now)
        summary = Words(
            N_("Took the questionnaire %(title)s back to a draft before it opened."),
            title=draft.title,
        )
        await record(tx, actor, "unassigned", draft, summary, now)
        return draft

    return await store.write(update)


@dataclass(frozen=True)
class Closing:
    """A changed closing time, and the cards that show it (to send to their channels)."""

    questionnaire: Questionnaire
    changes: list[Message]


async def _set_closing(
    store: Store,
    user: User,
    questionnaire: Questionnaire,
    closes_at: datetime,
    action: str,
    clock: Clock,
    settings: Settings,
) -> Closing:
    actor = check_coordinator(user)

    async def update(tx: Tx) -> tuple[Questionnaire, list[int]]:
        now = iso(clock.now())
        changed = await tx.set_questionnaire_closes_at(questionnaire.id, iso(closes_at), now)
        cards = await tx.list_questionnaire_cards(questionnaire.id)
        touched = []
        for channel_id, message_id in sorted(cards.items()):
            if message_id is not None:  # every card shows when it closes
                await tx.touch_message(message_id, seq=await tx.next_seq(channel_id))
                touched.append(message_id)
        when = Time(closes_at, settings.calendar)
        summary = (
            Words(N_("Closed the questionnaire %(title)s."), title=changed.title)
            if action == "closed"
            else Words(
                N_("Moved the closing of the questionnaire %(title)s to %(when)s."),
                title=changed.title,
                when=when,
            )
        )
        await record(tx, actor, action, changed, summary, now)
        return changed, touched

    changed, touched = await store.write(update)
    return Closing(changed, await store.load_messages(touched) if touched else [])


async def change_closing(
    store: Store,
    user: User,
    questionnaire_id: int,
    payload: Any,
    *,
    settings: Settings,
    clock: Clock = SYSTEM_CLOCK,
) -> Closing:
    """`payload`: {closes_at}: a later or earlier closing (a closed one opens again until then)."""
    check_coordinator(user)
    changes = check_changes(payload, ["closes_at"])
    questionnaire = await load_existing(store, questionnaire_id)
    if questionnaire.assigned_at is None:
        raise Conflict(N_("It is a draft: assign it to give it dates."))
    if questionnaire.anonymous and state_of(questionnaire, clock.now()) == "closed":
        raise Conflict(
            N_(
                "An anonymous questionnaire stays closed: its results have been shown, and an "
                "answer added after them could be picked out. Make a copy instead."
            )
        )
    closes_at = check_closes_at(changes["closes_at"], questionnaire, clock.now(), settings)
    return await _set_closing(
        store, user, questionnaire, closes_at, "closing_changed", clock, settings
    )


async def close_now(
    store: Store,
    user: User,
    questionnaire_id: int,
    *,
    settings: Settings,
    clock: Clock = SYSTEM_CLOCK,
) -> Closing:
    """Stop taking answers now (an open questionnaire; one not open yet is taken back)."""
    check_coordinator(user)
    questionnaire = await load_existing(store, questionnaire_id)
    state = state_of(questionnaire, clock.now())
    if state != "open":
        if state == "scheduled":
            raise Conflict(
                N_("Only an open questionnaire can be closed. Take it back to a draft instead.")
            )
        raise Conflict(N_("Only an open questionnaire can be closed."))
    return await _set_closing(store, user, questionnaire, clock.now(), "closed", clock, settings)


# what coordinators see


@dataclass(frozen=True)
class Overview:
    questionnaire: Questionnaire
    questions: list[Question]
    state: str
    asked: int  # people asked now (and those who answered but are no longer asked)
    answered: int


def _asked(questionnaire: Questionnaire, population: Population, answered: set[int]) -> int:
    audience = audience_of(questionnaire)
    if audience is None:
        return 0
    return len(set(reach(audience, population).people) | answered)


async def list_overviews(
    store: Store, user: User, *, clock: Clock = SYSTEM_CLOCK
) -> list[Overview]:
    check_coordinator(user)
    now = clock.now()
    population = await load_population(store)
    overviews = []
    for questionnaire in await store.list_questionnaires():
        answered = set(await store.list_respondents(questionnaire.id))
        overviews.append(
            Overview(
                questionnaire,
                await store.list_questions(questionnaire.id),
                state_of(questionnaire, now),
                _asked(questionnaire, population, answered),
                len(answered),
            )
        )
    return overviews


async def load_overview(
    store: Store, user: User, questionnaire_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> Overview:
    check_coordinator(user)
    questionnaire = await load_existing(store, questionnaire_id)
    answered = set(await store.list_respondents(questionnaire.id))
    return Overview(
        questionnaire,
        await store.list_questions(questionnaire.id),
        state_of(questionnaire, clock.now()),
        _asked(questionnaire, await load_population(store), answered),
        len(answered),
    )
