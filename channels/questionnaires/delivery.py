"""Opening questionnaires: their cards in the pair channels and lounges, and the notifications
of the people asked who have not answered (when it opens, and a day before it closes), each
exactly once.

`run_due(store, now)` is the runner's whole job, with time passed in.  Any number of server
processes may call it at once on one database: each card is claimed by its row in
`questionnaire_cards`, each notification by its row in `questionnaire_reminders`, inserted with
ON CONFLICT DO NOTHING in the transaction that posts it, so exactly one of them does.  People
and pairs are read as they are at each pass: a pair that joins a cohort, or a mentee who joins
the programme, while a questionnaire is open gets its card and notification at the next pass.
A card is the same in every channel (title, intro, closing date): it never says who answered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from channels.chat.messages import add_message
from channels.clock import iso
from channels.questionnaires.audience import Reach, audience_of, load_population, reach
from channels.render import render_markdown
from channels.tasks.rules import parse_iso
from storage import Store, Tx
from storage.records import Message, Questionnaire

REMIND_BEFORE = timedelta(days=1)  # the reminder of the unanswered, before it closes
MAX_PEOPLE_PER_RUN = 500  # bounds one run's transaction; the rest go out on the next run


@dataclass(frozen=True)
class Delivery:
    """What one run posted (cards, to send to their channels), the notifications it made (to
    send to their recipients), and whether it stopped at its limit with more to do."""

    changes: list[Message]
    notification_ids: list[int]
    more: bool


@dataclass(frozen=True)
class _Due:
    questionnaire: Questionnaire
    reach: Reach
    places: list[int]  # channels still without the card
    opening: list[int]  # people not told yet that it is there
    closing: list[int]  # people to remind before it closes
    in_closing_window: bool


def _is_open(questionnaire: Questionnaire, now: datetime) -> bool:
    audience = audience_of(questionnaire)
    return audience is not None and audience.opens_at <= now < audience.closes_at


async def _due(store: Store, questionnaire: Questionnaire, found: Reach, now: datetime) -> _Due:
    audience = audience_of(questionnaire)
    assert audience is not None
    cards = await store.list_questionnaire_cards(questionnaire.id)
    answered = await store.list_respondents(questionnaire.id)
    told = await store.list_questionnaire_reminders(questionnaire.id)
    waiting = [user_id for user_id in found.people if user_id not in answered]
    window = now >= audience.closes_at - REMIND_BEFORE
    return _Due(
        questionnaire,
        found,
        [channel_id for channel_id in found.places if channel_id not in cards],
        [u for u in waiting if (u, "open") not in told],
        [u for u in waiting if window and (u, "open") in told and (u, "closing") not in told],
        window,
    )


async def _deliver(tx: Tx, due: _Due, now: datetime) -> tuple[list[int], list[int]]:
    """Inside a write: claim and post the missing cards, claim and make the notifications;
    returns (card message ids, notification ids)."""
    seen = due.questionnaire
    current = await tx.load_questionnaire(seen.id)
    if current is None or current.updated_at != seen.updated_at or not _is_open(current, now):
        return [], []  # changed since we looked (perhaps by another node): the next run sees it
    html = render_markdown(current.intro) if current.intro.strip() else ""
    posted = []
    for channel_id in due.places:
        if not await tx.claim_questionnaire_card(current.id, channel_id):
            continue  # another node posted it
        added = await add_message(
            tx,
            channel_id=channel_id,
            author_id=None,
            kind="questionnaire",
            body=current.intro,
            html=html,
            now=iso(now),
        )
        await tx.attach_questionnaire_card(current.id, channel_id, added.id)
        posted.append(added.id)
    cards = await tx.list_questionnaire_cards(current.id)
    answered = await tx.list_respondents(current.id)  # someone may have answered meanwhile
    opening = [u for u in due.opening if u not in answered]
    told = await tx.claim_questionnaire_reminders(current.id, opening, "open")
    if due.in_closing_window:  # told it is there a day before it closes: that is the reminder
        await tx.claim_questionnaire_reminders(current.id, told, "closing")
    closing = [u for u in due.closing if u not in answered]
    told += await tx.claim_questionnaire_reminders(current.id, closing, "closing")
    places = []
    for user_id in told:
        message_id = cards.get(due.reach.people[user_id])
        if message_id is not None:
            places.append((user_id, due.reach.people[user_id], message_id))
    made = await tx.add_questionnaire_notifications(current.id, places, iso(now))
    return posted, made


async def run_due(store: Store, now: datetime) -> Delivery:
    """Post every card due by `now` that nobody has posted, and every notification due."""
    open_now = [
        q
        for q in await store.list_assigned_questionnaires(closes_after=iso(now))
        if _is_open(q, now)
    ]
    if not open_now:
        return Delivery([], [], False)
    population = await load_population(store)
    budget, more = MAX_PEOPLE_PER_RUN, False
    posted: list[int] = []
    made: list[int] = []
    for questionnaire in open_now:
        audience = audience_of(questionnaire)
        assert audience is not None
        due = await _due(store, questionnaire, reach(audience, population), now)
        if not (due.places or due.opening or due.closing):
            continue
        if len(due.opening) + len(due.closing) > budget:
            more = True
            opening = due.opening[:budget]
            due = replace(due, opening=opening, closing=due.closing[: budget - len(opening)])
        budget -= len(due.opening) + len(due.closing)

        async def deliver(tx: Tx, due: _Due = due) -> tuple[list[int], list[int]]:
            return await _deliver(tx, due, now)

        cards, notifications = await store.write(deliver)
        posted += cards
        made += notifications
        if budget <= 0:
            more = True
            break
    # A card notifies nobody by itself: its notifications are the ones made here, sent by id.
    changes = (
        [replace(m, notified=False) for m in await store.load_messages(posted)] if posted else []
    )
    return Delivery(changes, made, more)


async def next_wake(store: Store, now: datetime) -> datetime | None:
    """The next instant after `now` at which something falls due: a questionnaire opens, or
    the day before one closes begins."""
    candidates = []
    for questionnaire in await store.list_assigned_questionnaires(closes_after=iso(now)):
        assert questionnaire.opens_at is not None and questionnaire.closes_at is not None
        for moment in (
            parse_iso(questionnaire.opens_at),
            parse_iso(questionnaire.closes_at) - REMIND_BEFORE,
        ):
            if moment > now:
                candidates.append(moment)
    return min(candidates, default=None)
