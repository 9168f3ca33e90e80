"""Who a questionnaire asks and where its cards go, without a server: the rules of
`channels.questionnaires.audience` over plain records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.dates import Calendar
from channels.errors import Invalid
from channels.questionnaires.audience import (
    Audience,
    Population,
    check_assignment,
    reach,
    state_of,
)
from channels.tasks.rules import Settings, Target
from storage.records import Pair, Questionnaire, User

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
SETTINGS = Settings(Calendar.of("en_GB", "Europe/Copenhagen"), 366)


def person(user_id: int, role: str, disabled: bool = False) -> User:
    return User(user_id, f"{user_id}@x", f"P{user_id}", role, None, "", "", disabled, "")


def pair(pair_id: int, mentor: int, mentee: int, started: datetime, ended: datetime | None = None):
    return Pair(
        pair_id, mentor, mentee, 100 + pair_id, started.isoformat(), ended and ended.isoformat()
    )


PEOPLE = [
    person(1, "coordinator"),
    person(2, "mentor"),
    person(3, "mentor"),
    person(4, "mentee"),
    person(5, "mentee"),
    person(6, "mentee", disabled=True),
    person(7, "mentee"),
]
PAIRS = [
    pair(1, 2, 4, NOW - timedelta(days=40)),
    pair(2, 2, 5, NOW - timedelta(days=5)),  # the same mentor, a second mentee
    pair(3, 3, 6, NOW - timedelta(days=5)),  # her mentee's account is disabled
    pair(4, 3, 7, NOW - timedelta(days=6), ended=NOW - timedelta(days=1)),
]
POPULATION = Population(PEOPLE, PAIRS, {"mentor_lounge": 50, "mentee_lounge": 51})


def audience(target: Target, roles=("mentor", "mentee")) -> Audience:
    return Audience(tuple(roles), target, NOW, NOW + timedelta(days=7))


def test_everyone_of_a_role_is_asked_in_their_lounge_and_coordinators_never():
    found = reach(audience(Target("all"), roles=("mentee",)), POPULATION)
    assert found.places == [51]
    assert found.people == {4: 51, 5: 51, 7: 51}  # not the disabled one, not the coordinator
    both = reach(audience(Target("all")), POPULATION)
    assert both.places == [50, 51] and set(both.people) == {2, 3, 4, 5, 7}


def test_chosen_pairs_ask_both_people_once_even_ended_ones():
    found = reach(audience(Target("pairs", pair_ids=(1, 2, 4))), POPULATION)
    assert found.places == [101, 102, 104]
    assert found.people == {2: 101, 4: 101, 5: 102, 3: 104, 7: 104}  # mentor 2 once
    mentors = reach(audience(Target("pairs", pair_ids=(3,)), roles=("mentee",)), POPULATION)
    assert mentors.places == [] and mentors.people == {}  # her mentee is disabled


def test_a_cohort_is_the_pairs_started_in_it_and_not_ended_before_it_opened():
    cohort = Target(
        "started_between",
        started_from=NOW - timedelta(days=7),
        started_until=NOW,
    )
    found = reach(audience(cohort), POPULATION)
    assert found.places == [102, 103]  # pair 4 ended the day before it opened
    later = Audience(("mentor", "mentee"), cohort, NOW - timedelta(days=3), NOW + timedelta(days=4))
    assert reach(later, POPULATION).places == [102, 103, 104]  # it ended after it opened
    assert later.asks(PEOPLE[6], PAIRS) and not later.asks(PEOPLE[0], PAIRS)


def test_an_assignment_is_checked_in_the_programme_time_zone():
    checked = check_assignment(
        {"started_between": ["2026-03-01", "2026-03-09"], "closes_at": "2026-03-20"},
        NOW,
        SETTINGS,
    )
    assert checked.roles == ("mentor", "mentee") and checked.opens_at == NOW
    assert checked.closes_at == datetime(2026, 3, 20, 22, 59, 59, 999999, tzinfo=UTC)
    assert checked.target.started_from == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    later = check_assignment(
        {"all": True, "opens_at": "2026-03-12", "closes_at": "2026-03-12T18:00"}, NOW, SETTINGS
    )
    assert later.opens_at == datetime(2026, 3, 11, 23, 0, tzinfo=UTC)
    assert later.closes_at == datetime(2026, 3, 12, 17, 0, tzinfo=UTC)
    for bad in (
        {"all": True, "closes_at": "2026-03-10T10:00"},  # open less than an hour
        {"all": True, "opens_at": "2026-03-15", "closes_at": "2026-03-14"},
        {"all": True, "closes_at": "2027-06-01"},
        {"all": True, "roles": ["mentee", "coordinator"], "closes_at": "2026-03-20"},
    ):
        with pytest.raises(Invalid):
            check_assignment(bad, NOW, SETTINGS)


def test_its_state_follows_the_clock():
    draft = Questionnaire(1, "T", "", False, None, (), None, (), None, None, None, None, 1, "", "")
    assert state_of(draft, NOW) == "draft"
    assigned = Questionnaire(
        1,
        "T",
        "",
        False,
        NOW.isoformat(),
        ("mentee",),
        "all",
        (),
        None,
        None,
        (NOW + timedelta(days=1)).isoformat(),
        (NOW + timedelta(days=3)).isoformat(),
        1,
        "",
        "",
    )
    assert state_of(assigned, NOW) == "scheduled"
    assert state_of(assigned, NOW + timedelta(days=1)) == "open"
    assert state_of(assigned, NOW + timedelta(days=3)) == "closed"
