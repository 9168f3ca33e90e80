"""Who is asked a questionnaire, where its card goes, and when it is open.

An assignment is the roles asked (mentors, mentees or both) among the people of a target, the
very targets of scheduled tasks (`channels.tasks.rules`): everyone (`all`), chosen pairs
(`pairs`, active or ended: an end-of-pairing questionnaire goes to pairs that just ended), or a
cohort (`started_between`: the pairs that started between two dates and had not ended before
the questionnaire opened).  Everyone's card goes into their role's lounge; a pair's into its
channel.  Eligibility is worked out from the people and pairs as they are now, so a pair that
joins a cohort while the questionnaire is open is asked too.  Coordinators run questionnaires
and are never asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from channels.clock import iso
from channels.errors import Invalid
from channels.input import check_moment, check_object
from channels.languages import N_
from channels.policy import PARTICIPANTS
from channels.tasks.rules import (
    Settings,
    Target,
    check_target,
    check_until,
    parse_iso,
    target_columns,
    target_of,
)
from channels.words import Count, Words
from storage import Store
from storage.records import Pair, Questionnaire, User

ROLES = PARTICIPANTS  # those a questionnaire may ask
ROLE_NAMES = {"mentor": "mentors", "mentee": "mentees"}
LOUNGES = {"mentor": "mentor_lounge", "mentee": "mentee_lounge"}
MIN_OPEN = timedelta(hours=1)


@dataclass(frozen=True)
class Audience:
    roles: tuple[str, ...]
    target: Target
    opens_at: datetime
    closes_at: datetime

    def includes_pair(self, pair: Pair) -> bool:
        if not self.target.includes(pair):
            return False
        if self.target.kind == "pairs" or pair.ended_at is None:
            return True
        return parse_iso(pair.ended_at) >= self.opens_at

    def asks(self, user: User, pairs: list[Pair]) -> bool:
        """Whether `user` is asked (`pairs`: theirs, or all of them)."""
        if user.disabled or user.role not in self.roles:
            return False
        if self.target.kind == "all":
            return True
        return any(self.includes_pair(p) and user.id == _member(p, user.role) for p in pairs)


def _member(pair: Pair, role: str) -> int:
    return pair.mentor_id if role == "mentor" else pair.mentee_id


def audience_of(questionnaire: Questionnaire) -> Audience | None:
    """The assignment of a questionnaire; None for a draft."""
    if questionnaire.opens_at is None or questionnaire.closes_at is None:
        return None
    return Audience(
        questionnaire.roles,
        target_of(questionnaire),
        parse_iso(questionnaire.opens_at),
        parse_iso(questionnaire.closes_at),
    )


def state_of(questionnaire: Questionnaire, now: datetime) -> str:
    """'draft', 'scheduled' (assigned, not open yet), 'open' or 'closed'."""
    audience = audience_of(questionnaire)
    if audience is None:
        return "draft"
    if now < audience.opens_at:
        return "scheduled"
    return "open" if now < audience.closes_at else "closed"


@dataclass(frozen=True)
class Reach:
    """Where the cards go and who is asked, each with the place their card is in."""

    places: list[int]  # channel ids, in order
    people: dict[int, int]  # user id -> the channel id of their card
    roles: dict[int, str]  # user id -> role


@dataclass(frozen=True)
class Population:
    """Everyone and every pair, and the lounges: what `reach` picks from."""

    users: list[User]
    pairs: list[Pair]
    lounges: dict[str, int]  # channel kind -> id


async def load_population(store: Store) -> Population:
    lounges = {}
    for kind in LOUNGES.values():
        channel = await store.load_channel_by_kind(kind)
        if channel is not None:
            lounges[kind] = channel.id
    return Population(await store.list_users(), await store.list_pairs(), lounges)


def reach(audience: Audience, population: Population) -> Reach:
    """Everyone asked, and where their cards go."""
    users, pairs, lounges = population.users, population.pairs, population.lounges
    places: list[int] = []
    people: dict[int, int] = {}
    roles: dict[int, str] = {}
    asked = {u.id: u for u in users if not u.disabled and u.role in audience.roles}
    if audience.target.kind == "all":
        for role in audience.roles:
            lounge = lounges.get(LOUNGES[role])
            if lounge is None:
                continue
            places.append(lounge)
            for user in asked.values():
                if user.role == role:
                    people[user.id], roles[user.id] = lounge, role
        return Reach(places, people, roles)
    for pair in sorted(pairs, key=lambda p: p.id):
        if not audience.includes_pair(pair):
            continue
        found = [
            (role, _member(pair, role))
            for role in audience.roles
            if _member(pair, role) in asked and asked[_member(pair, role)].role == role
        ]
        if not found:
            continue
        places.append(pair.channel_id)
        for role, user_id in found:
            if user_id not in people:
                people[user_id], roles[user_id] = pair.channel_id, role
    return Reach(places, people, roles)


# checking an assignment


@dataclass(frozen=True)
class Assignment:
    roles: tuple[str, ...]
    target: Target
    opens_at: datetime
    closes_at: datetime

    def columns(self) -> dict[str, Any]:
        return {
            "roles": list(self.roles),
            **target_columns(self.target),
            "opens_at": iso(self.opens_at),
            "closes_at": iso(self.closes_at),
        }


def check_roles(value: Any) -> tuple[str, ...]:
    if value is None:
        return ROLES
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(r, str) and r in ROLES for r in value)
    ):
        raise Invalid(N_('\'roles\' must list who is asked: "mentor", "mentee" or both.'))
    return tuple(r for r in ROLES if r in value)


def check_period(
    payload: dict[str, Any], now: datetime, settings: Settings
) -> tuple[datetime, datetime]:
    """`opens_at` (left out: now; a time already passed also means now) and `closes_at` (a
    date, whose whole day counts, or a date and time), in the programme's time zone."""
    opens_at = now
    if payload.get("opens_at") not in (None, ""):
        opens_at = max(check_moment(payload["opens_at"], "'opens_at'", settings.zone), now)
    if payload.get("closes_at") in (None, ""):
        raise Invalid(N_("Say until when it takes answers: 'closes_at', a date."))
    closes_at = check_until(payload["closes_at"], settings.zone, "'closes_at'")
    if closes_at - opens_at < MIN_OPEN:
        raise Invalid(N_("It must close after it opens (and stay open at least an hour)."))
    if closes_at - opens_at > timedelta(days=settings.max_days):
        raise Invalid(
            N_("A questionnaire can stay open at most %(max_days)s days."),
            max_days=settings.max_days,
        )
    return opens_at, closes_at


def check_assignment(payload: Any, now: datetime, settings: Settings) -> Assignment:
    """`payload`: a target ({"all": true}, {"pairs": [ids]} or {"started_between": [from,
    to]}), `roles` (default both), `opens_at`?, `closes_at`.  Whether chosen pairs exist is for
    the caller to check."""
    payload = check_object(payload)
    unknown = sorted(
        set(payload) - {"all", "pairs", "started_between", "roles", "opens_at", "closes_at"}
    )
    if unknown:
        raise Invalid(N_("Unknown field: %(unknown)s."), unknown=", ".join(unknown))
    target = check_target(payload, settings.zone)
    roles = check_roles(payload.get("roles"))
    opens_at, closes_at = check_period(payload, now, settings)
    return Assignment(roles, target, opens_at, closes_at)


def check_closes_at(
    value: Any, questionnaire: Questionnaire, now: datetime, settings: Settings
) -> datetime:
    """A new closing time for an assigned questionnaire: later than now (to close at once,
    close it) and within the longest period from when it opens."""
    audience = audience_of(questionnaire)
    assert audience is not None
    if value in (None, ""):
        raise Invalid(N_("Give the new closing date ('closes_at')."))
    closes_at = check_until(value, settings.zone, "'closes_at'")
    if closes_at <= now or closes_at - audience.opens_at < MIN_OPEN:
        raise Invalid(N_("The new closing time must be in the future and after it opens."))
    if closes_at - audience.opens_at > timedelta(days=settings.max_days):
        raise Invalid(
            N_("A questionnaire can stay open at most %(max_days)s days."),
            max_days=settings.max_days,
        )
    return closes_at


def describe_audience(audience: Audience) -> Words:
    """'mentees of 3 chosen pairs', as a coordinator would say it (in her language, where
    shown)."""
    if audience.roles == ("mentor",):
        who = Words(N_("mentors"))
    elif audience.roles == ("mentee",):
        who = Words(N_("mentees"))
    else:
        who = Words(N_("mentors and mentees"))
    target = audience.target
    if target.kind == "all":
        return Words(N_("all %(who)s"), who=who)
    if target.kind == "pairs":
        count = Count(len(target.pair_ids))
        if count == 1:
            return Words(N_("%(who)s of 1 chosen pair"), who=who)
        return Words(N_("%(who)s of %(count)s chosen pairs"), who=who, count=count)
    return Words(N_("%(who)s of the pairs that started in a date range"), who=who)
