"""The pure schedule logic: what coordinators may send, and when occurrences fall, in a
programme time zone with daylight saving (Europe/Copenhagen: clocks go forward on
29 March 2026 and back on 25 October 2026)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from channels.dates import Calendar
from channels.errors import Invalid
from channels.tasks.rules import (
    Rule,
    Settings,
    Target,
    add_local_days,
    check_rule,
    check_target,
    is_late,
    next_occurrence,
    occurrences,
    pair_day_instant,
    weekly_occurrences,
)
from storage.records import Pair

CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = Settings(Calendar.of("en_GB", "Europe/Copenhagen"), max_days=366)
NOW = datetime(2026, 3, 13, 11, 0, tzinfo=UTC)  # Friday 13 March 2026, 12:00 in Copenhagen


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pair(pair_id: int, started: datetime, ended: str | None = None) -> Pair:
    return Pair(pair_id, 10 + pair_id, 20 + pair_id, 30 + pair_id, started.isoformat(), ended)


def test_weekly_keeps_the_wall_clock_across_spring_forward():
    rule = check_rule(
        {"weekly": {"weekday": "Monday", "time": "09:00"}, "until": "2026-04-13"}, NOW, SETTINGS
    )
    found = weekly_occurrences(rule, CPH, NOW, utc(2027, 1, 1))
    assert [(o.key, o.at) for o in found] == [
        ("2026-W12", utc(2026, 3, 16, 8)),  # 09:00 CET
        ("2026-W13", utc(2026, 3, 23, 8)),
        ("2026-W14", utc(2026, 3, 30, 7)),  # 09:00 CEST
        ("2026-W15", utc(2026, 4, 6, 7)),
        ("2026-W16", utc(2026, 4, 13, 7)),  # 'until' is a date: the whole day counts
    ]


def test_weekly_across_fall_back_and_the_times_that_do_not_exist_or_happen_twice():
    autumn = Rule("weekly", weekday=0, time_of_day=time(9), until=utc(2026, 11, 3))
    found = weekly_occurrences(autumn, CPH, utc(2026, 10, 19), utc(2026, 11, 3))
    assert [o.at for o in found] == [
        utc(2026, 10, 19, 7),
        utc(2026, 10, 26, 8),
        utc(2026, 11, 2, 8),
    ]
    # 02:30 does not exist on 29 March: posted at the instant an hour later on the wall clock.
    gap = Rule("weekly", weekday=6, time_of_day=time(2, 30), until=utc(2026, 3, 30))
    assert [o.at for o in weekly_occurrences(gap, CPH, utc(2026, 3, 28), utc(2026, 3, 30))] == [
        utc(2026, 3, 29, 1, 30)
    ]
    # 02:30 happens twice on 25 October: posted the first time.
    twice = Rule("weekly", weekday=6, time_of_day=time(2, 30), until=utc(2026, 10, 26))
    assert [o.at for o in weekly_occurrences(twice, CPH, utc(2026, 10, 24), utc(2026, 10, 26))] == [
        utc(2026, 10, 25, 0, 30)
    ]


def test_pair_day_counts_calendar_days_in_the_programme_zone():
    rule = check_rule({"pair_day": 3, "time": "09:00"}, NOW, SETTINGS)
    started = utc(2026, 3, 27, 14)  # Friday 15:00 CET
    assert pair_day_instant(rule, CPH, started) == utc(2026, 3, 29, 7)  # Sunday 09:00 CEST
    # Day 1 at 09:00 for a pair that began in the afternoon: when the pair begins.
    first = Rule("pair_day", pair_day=1, time_of_day=time(9))
    assert pair_day_instant(first, CPH, started) == started
    # 23:30 UTC on 27 March is already 28 March in Copenhagen: that is day 1.
    assert pair_day_instant(first, CPH, utc(2026, 3, 27, 23, 30)) == utc(2026, 3, 28, 8)


def test_occurrences_respect_target_start_and_the_window():
    pairs = [pair(1, utc(2026, 3, 1)), pair(2, utc(2026, 3, 20)), pair(3, utc(2026, 3, 1), "x")]
    weekly = Rule("weekly", weekday=0, time_of_day=time(9), until=utc(2026, 4, 1))
    found = occurrences(weekly, Target("all"), pairs, CPH, NOW, utc(2026, 4, 1))
    assert [(p.id, o.at) for p, o in found] == [
        (1, utc(2026, 3, 16, 8)),
        (1, utc(2026, 3, 23, 8)),
        (1, utc(2026, 3, 30, 7)),
        (2, utc(2026, 3, 23, 8)),  # not before the pair existed
        (2, utc(2026, 3, 30, 7)),
    ]  # pair 3 has ended
    at = Rule("at", at=utc(2026, 3, 18, 9))
    chosen = Target("pairs", pair_ids=(2,))
    assert occurrences(at, chosen, pairs, CPH, NOW, utc(2026, 4, 1)) == []  # 2 began later
    found = occurrences(at, Target("pairs", pair_ids=(1,)), pairs, CPH, NOW, utc(2026, 3, 18, 9))
    assert [(p.id, o.key) for p, o in found] == [(1, "once")]
    assert occurrences(at, Target("all"), pairs, CPH, NOW, utc(2026, 3, 18, 8, 59)) == []
    cohort = check_target({"started_between": ["2026-03-20", "2026-03-20"]}, CPH)
    assert [p.id for p in pairs if cohort.includes(p)] == [2]


def test_next_occurrence_is_strictly_after_now():
    pairs = [pair(1, utc(2026, 3, 1))]
    weekly = Rule("weekly", weekday=0, time_of_day=time(9), until=utc(2026, 3, 24))
    assert next_occurrence(weekly, Target("all"), pairs, CPH, NOW, NOW) == utc(2026, 3, 16, 8)
    at_it = utc(2026, 3, 16, 8)
    assert next_occurrence(weekly, Target("all"), pairs, CPH, NOW, at_it) == utc(2026, 3, 23, 8)
    assert next_occurrence(weekly, Target("all"), pairs, CPH, NOW, utc(2026, 3, 23, 8)) is None
    day = Rule("pair_day", pair_day=20, time_of_day=time(9))
    assert next_occurrence(day, Target("all"), pairs, CPH, NOW, NOW) == utc(2026, 3, 20, 8)


def test_due_dates_and_lateness():
    posted = utc(2026, 3, 27, 9)  # 10:00 CET
    assert add_local_days(posted, 7, CPH) == utc(2026, 4, 3, 8)  # 10:00 CEST
    assert not is_late(posted, posted + timedelta(minutes=1))
    assert is_late(posted, posted + timedelta(hours=2))


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"at": "2026-03-13T11:59"}, "already passed"),
        ({"at": "2026-03-01T09:00Z"}, "already passed"),
        ({"at": "tomorrow"}, "date and time"),
        ({"at": "2026-04-01"}, "date and time"),
        ({}, "Say when to post"),
        ({"at": "2026-04-01T09:00", "pair_day": 2}, "Say when to post"),
        ({"at": "2026-04-01T09:00", "until": "2026-05-01"}, "'until' goes with a weekly"),
        ({"pair_day": 0, "time": "09:00"}, "from 1 to 366"),
        ({"pair_day": 400, "time": "09:00"}, "from 1 to 366"),
        ({"pair_day": 3}, "time of day"),
        ({"pair_day": 3, "time": "25:00"}, "time of day"),
        ({"weekly": {"weekday": "monday", "time": "09:00"}}, "needs an end"),
        (
            {"weekly": {"weekday": "monday", "time": "09:00"}, "until": "2026-03-12"},
            "already passed",
        ),
        (
            {"weekly": {"weekday": "monday", "time": "09:00"}, "until": "2027-06-01"},
            "at most 366 days",
        ),
        (
            {"weekly": {"weekday": "moonday", "time": "09:00"}, "until": "2026-04-01"},
            "day of the week",
        ),
        ({"weekly": "monday", "until": "2026-04-01"}, "must be an object"),
        ({"weekly": {"weekday": "monday", "time": "09:00"}, "until": "2026-03-15"}, "never post"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(payload, says):
    with pytest.raises(Invalid, match=says):
        check_rule(payload, NOW, SETTINGS)


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({}, "Say which pairs"),
        ({"all": False}, "'all' must be true"),
        ({"all": True, "pairs": [1]}, "Say which pairs"),
        ({"pairs": []}, "list of 1 to"),
        ({"pairs": ["1"]}, "pair ids"),
        ({"pairs": [True]}, "pair ids"),
        ({"started_between": ["2026-03-01"]}, "two dates"),
        ({"started_between": ["2026-03-31", "2026-03-01"]}, "must not be after"),
        ({"started_between": ["2026-02-30", "2026-03-01"]}, "a date like"),
    ],
)
def test_bad_targets_are_refused_with_a_reason(payload, says):
    with pytest.raises(Invalid, match=says):
        check_target(payload, CPH)


def test_an_offset_or_zone_free_time_is_read_in_the_programme_zone():
    local = check_rule({"at": "2026-03-30T09:00"}, NOW, SETTINGS)
    assert local.at == utc(2026, 3, 30, 7)
    explicit = check_rule({"at": "2026-03-30T09:00+00:00"}, NOW, SETTINGS)
    assert explicit.at == utc(2026, 3, 30, 9)
