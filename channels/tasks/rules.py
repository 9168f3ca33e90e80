"""Schedule rules and targets: checking what a coordinator sends, and working out when each
occurrence of a task falls for each pair.

Pure functions over aware datetimes: no storage, no clock.  Rules are written in the
programme's time zone, so "09:00 every Monday" stays 09:00 on the wall clock across daylight
saving changes.  A wall time that does not exist on the day clocks spring forward is posted
at the same instant as an hour later; one that happens twice when clocks fall back is posted
the first time.

Each occurrence has a key that names it for good: 'once' for an absolute time, 'day' for a
day of the pairing (one per pair), the ISO week for a weekly rule.  Editing a schedule
therefore never posts an occurrence twice: a pair that had its day-3 task does not get another
when the coordinator moves it to day 5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from channels.clock import iso, local_instant
from channels.dates import Calendar
from channels.errors import Invalid
from channels.input import DATE, check_date, check_instant
from channels.languages import N_
from channels.words import Words
from storage.records import Pair, TaskSchedule

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LATE_AFTER = timedelta(minutes=5)  # posted later than this after its time: marked late
FINISH_AFTER = timedelta(hours=1)  # a schedule with nothing left is finished after this margin
MAX_CHOSEN_PAIRS = 1000
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Settings:
    """The programme's calendar (time zone and locale) and how far ahead a schedule may reach."""

    calendar: Calendar
    max_days: int

    @property
    def zone(self) -> ZoneInfo:
        return self.calendar.zone


@dataclass(frozen=True)
class Rule:
    kind: str  # 'now', 'at', 'pair_day' or 'weekly'
    at: datetime | None = None
    pair_day: int | None = None  # 1 is the day the pair started
    weekday: int | None = None  # 0 is Monday
    time_of_day: time | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Target:
    kind: str  # 'all', 'pairs' or 'started_between'
    pair_ids: tuple[int, ...] = ()
    started_from: datetime | None = None
    started_until: datetime | None = None  # exclusive

    def includes(self, pair: Pair) -> bool:
        if self.kind == "pairs":
            return pair.id in self.pair_ids
        if self.kind == "started_between":
            assert self.started_from is not None and self.started_until is not None
            return self.started_from <= parse_iso(pair.started_at) < self.started_until
        return True


@dataclass(frozen=True)
class Occurrence:
    key: str
    at: datetime


def parse_iso(text: str) -> datetime:
    """A stored time back to an aware datetime."""
    return datetime.fromisoformat(text)


def add_local_days(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The same wall-clock time `days` calendar days later (not a multiple of 24 hours)."""
    local = moment.astimezone(zone)
    return local_instant(local.date() + timedelta(days=days), local.time(), zone)


def is_late(scheduled: datetime, posted: datetime) -> bool:
    return posted - scheduled > LATE_AFTER


# checking what a coordinator sends


def check_time(value: Any, what: str) -> time:
    if not isinstance(value, str) or not (match := _TIME.match(value.strip())):
        raise Invalid(N_('%(what)s must be a time of day like "09:00".'), what=Words(what))
    return time(int(match[1]), int(match[2]))


def check_weekday(value: Any) -> int:
    if isinstance(value, str):
        name = value.strip().lower()
        for number, day in enumerate(WEEKDAYS):
            if name in (day, day[:3]):
                return number
    raise Invalid(N_("'weekday' must be a day of the week, like \"monday\"."))


def check_rule(payload: dict[str, Any], now: datetime, settings: Settings) -> Rule:
    """One of {"at"}, {"pair_day", "time"} or {"weekly": {"weekday", "time"}, "until"}."""
    given = [key for key in ("at", "pair_day", "weekly") if payload.get(key) is not None]
    if len(given) != 1:
        raise Invalid(
            N_(
                "Say when to post: 'at' a date and time, 'pair_day' with a 'time', "
                "or 'weekly' with an 'until' date."
            )
        )
    kind = given[0]
    if kind != "weekly" and payload.get("until") is not None:
        raise Invalid(N_("'until' goes with a weekly schedule only."))
    if kind == "at":
        at = check_instant(payload["at"], "'at'", settings.zone)
        if at <= now:
            raise Invalid(N_("That time has already passed. Choose a time in the future."))
        return Rule("at", at=at)
    if kind == "pair_day":
        day = payload["pair_day"]
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= settings.max_days:
            raise Invalid(
                N_("'pair_day' must be a whole number from 1 to %(max_days)s."),
                max_days=settings.max_days,
            )
        return Rule("pair_day", pair_day=day, time_of_day=check_time(payload.get("time"), "'time'"))
    weekly = payload["weekly"]
    if not isinstance(weekly, dict):
        raise Invalid(
            N_('\'weekly\' must be an object like {"weekday": "monday", "time": "09:00"}.')
        )
    if payload.get("until") is None:
        raise Invalid(N_("A weekly schedule needs an end: give an 'until' date."))
    until = check_until(payload["until"], settings.zone)
    if until <= now:
        raise Invalid(N_("'until' has already passed. Choose a date in the future."))
    if until - now > timedelta(days=settings.max_days):
        raise Invalid(
            N_(
                "A weekly schedule can run for at most %(max_days)s days. Choose an earlier 'until' date."
            ),
            max_days=settings.max_days,
        )
    rule = Rule(
        "weekly",
        weekday=check_weekday(weekly.get("weekday")),
        time_of_day=check_time(weekly.get("time"), "'time'"),
        until=until,
    )
    if not weekly_occurrences(rule, settings.zone, now, until):
        raise Invalid(
            N_("That weekly schedule would never post: its day does not come before 'until'.")
        )
    return rule


def check_until(value: Any, zone: ZoneInfo, what: str = "'until'") -> datetime:
    """A date (the whole of that day counts) or a date and time."""
    if isinstance(value, str) and DATE.match(value.strip()):
        day = check_date(value.strip(), what)
        return local_instant(day + timedelta(days=1), time(0), zone) - timedelta(microseconds=1)
    return check_instant(value, what, zone)


def check_target(payload: dict[str, Any], zone: ZoneInfo) -> Target:
    """One of {"all": true}, {"pairs": [ids]} or {"started_between": [from, to]} (dates, both
    days included).  Whether the chosen pairs exist is for the caller to check."""
    given = [k for k in ("all", "pairs", "started_between") if payload.get(k) is not None]
    if len(given) != 1:
        raise Invalid(
            N_(
                'Say which pairs: {"all": true}, {"pairs": [pair ids]} '
                'or {"started_between": [from date, to date]}.'
            )
        )
    kind = given[0]
    value = payload[kind]
    if kind == "all":
        if value is not True:
            raise Invalid(N_("'all' must be true."))
        return Target("all")
    if kind == "pairs":
        if not isinstance(value, list) or not value or len(value) > MAX_CHOSEN_PAIRS:
            raise Invalid(
                N_("'pairs' must be a list of 1 to %(max_chosen_pairs)s pair ids."),
                max_chosen_pairs=MAX_CHOSEN_PAIRS,
            )
        if any(isinstance(i, bool) or not isinstance(i, int) or not 0 < i < 2**53 for i in value):
            raise Invalid(N_("'pairs' must list pair ids (whole numbers)."))
        return Target("pairs", pair_ids=tuple(sorted(set(value))))
    if not isinstance(value, list) or len(value) != 2:
        raise Invalid(N_("'started_between' must be two dates: [from, to]."))
    first = check_date(value[0], N_("The first date of 'started_between'"))
    last = check_date(value[1], N_("The second date of 'started_between'"))
    if last < first:
        raise Invalid(N_("In 'started_between' the first date must not be after the second."))
    return Target(
        "started_between",
        started_from=local_instant(first, time(0), zone),
        started_until=local_instant(last + timedelta(days=1), time(0), zone),
    )


# storage form and back


def target_columns(target: Target) -> dict[str, Any]:
    """A target as stored (by task schedules and questionnaires alike)."""
    return {
        "target": target.kind,
        "target_pairs": list(target.pair_ids) if target.kind == "pairs" else None,
        "started_from": target.started_from and iso(target.started_from),
        "started_until": target.started_until and iso(target.started_until),
    }


def schedule_columns(rule: Rule, target: Target) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "at": rule.at and iso(rule.at),
        "pair_day": rule.pair_day,
        "weekday": rule.weekday,
        "time_of_day": rule.time_of_day and rule.time_of_day.strftime("%H:%M"),
        "until": rule.until and iso(rule.until),
        **target_columns(target),
    }


def rule_of(schedule: TaskSchedule) -> Rule:
    return Rule(
        schedule.kind,
        at=parse_iso(schedule.at) if schedule.at else None,
        pair_day=schedule.pair_day,
        weekday=schedule.weekday,
        time_of_day=time.fromisoformat(schedule.time_of_day) if schedule.time_of_day else None,
        until=parse_iso(schedule.until) if schedule.until else None,
    )


class StoredTarget(Protocol):
    """A row that keeps a target: a task schedule, an assigned questionnaire."""

    @property
    def target(self) -> str | None: ...
    @property
    def target_pairs(self) -> tuple[int, ...]: ...
    @property
    def started_from(self) -> str | None: ...
    @property
    def started_until(self) -> str | None: ...


def target_of(stored: StoredTarget) -> Target:
    assert stored.target is not None
    return Target(
        stored.target,
        pair_ids=stored.target_pairs,
        started_from=parse_iso(stored.started_from) if stored.started_from else None,
        started_until=parse_iso(stored.started_until) if stored.started_until else None,
    )


# when occurrences fall


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_occurrences(
    rule: Rule, zone: ZoneInfo, start: datetime, end: datetime
) -> list[Occurrence]:
    """The occurrences of a weekly rule from `start` to `end` (both included), never after
    its `until`."""
    assert rule.weekday is not None and rule.time_of_day is not None and rule.until is not None
    end = min(end, rule.until)
    day = start.astimezone(zone).date()
    day += timedelta(days=(rule.weekday - day.weekday()) % 7)
    found = []
    while (instant := local_instant(day, rule.time_of_day, zone)) <= end:
        if instant >= start:
            found.append(Occurrence(week_key(day), instant))
        day += timedelta(days=7)
    return found


def pair_day_instant(rule: Rule, zone: ZoneInfo, pair_started: datetime) -> datetime:
    """Day N of a pairing at the rule's time; never before the pair began (a pair that started
    in the afternoon gets its day-1 morning task when it starts)."""
    assert rule.pair_day is not None and rule.time_of_day is not None
    first_day = pair_started.astimezone(zone).date()
    day = first_day + timedelta(days=rule.pair_day - 1)
    return max(local_instant(day, rule.time_of_day, zone), pair_started)


def occurrences(
    rule: Rule, target: Target, pairs: list[Pair], zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[Pair, Occurrence]]:
    """Every (pair, occurrence) of the rule due from `start` to `end` (both included), for the
    targeted pairs among `pairs`.  A pair gets an occurrence only if it had started by then."""
    found: list[tuple[Pair, Occurrence]] = []
    if end < start:
        return found
    weekly = weekly_occurrences(rule, zone, start, end) if rule.kind == "weekly" else []
    for pair in pairs:
        if pair.ended_at is not None or not target.includes(pair):
            continue
        started = parse_iso(pair.started_at)
        if rule.kind in ("now", "at"):
            assert rule.at is not None
            if started <= rule.at and start <= rule.at <= end:
                found.append((pair, Occurrence("once", rule.at)))
        elif rule.kind == "pair_day":
            instant = pair_day_instant(rule, zone, started)
            if start <= instant <= end:
                found.append((pair, Occurrence("day", instant)))
        else:
            found.extend((pair, o) for o in weekly if o.at >= started)
    return found


def next_occurrence(
    rule: Rule, target: Target, pairs: list[Pair], zone: ZoneInfo, start: datetime, after: datetime
) -> datetime | None:
    """The first instant after `after` (and not before `start`) at which the rule may post."""
    start = max(start, after + timedelta(microseconds=1))
    if rule.kind in ("now", "at"):
        assert rule.at is not None
        return rule.at if rule.at >= start else None
    if rule.kind == "weekly":
        upcoming = weekly_occurrences(rule, zone, start, start + timedelta(days=8))
        return upcoming[0].at if upcoming else None
    instants = [
        o.at
        for _, o in occurrences(rule, target, pairs, zone, start, datetime.max.replace(tzinfo=UTC))
    ]
    return min(instants, default=None)


def is_finished(rule: Rule, now: datetime) -> bool:
    """True when the rule can post nothing more (a day-N rule never finishes: pairs keep
    starting)."""
    if rule.kind in ("now", "at"):
        assert rule.at is not None
        return now > rule.at + FINISH_AFTER
    if rule.kind == "weekly":
        assert rule.until is not None
        return now > rule.until + FINISH_AFTER
    return False


# on the wire


def rule_json(rule: Rule) -> dict[str, Any]:
    if rule.kind in ("now", "at"):
        assert rule.at is not None
        return {"kind": rule.kind, "at": iso(rule.at)}
    assert rule.time_of_day is not None
    wall = rule.time_of_day.strftime("%H:%M")
    if rule.kind == "pair_day":
        return {"kind": "pair_day", "pair_day": rule.pair_day, "time": wall}
    assert rule.weekday is not None and rule.until is not None
    return {
        "kind": "weekly",
        "weekly": {"weekday": WEEKDAYS[rule.weekday], "time": wall},
        "until": iso(rule.until),
    }


def target_json(target: Target, zone: ZoneInfo) -> dict[str, Any]:
    if target.kind == "pairs":
        return {"pairs": list(target.pair_ids)}
    if target.kind == "started_between":
        assert target.started_from is not None and target.started_until is not None
        first = target.started_from.astimezone(zone).date()
        last = target.started_until.astimezone(zone).date() - timedelta(days=1)
        return {"started_between": [first.isoformat(), last.isoformat()]}
    return {"all": True}
