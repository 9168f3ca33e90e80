"""Time, injected: domain code asks a clock, so tests can drive weeks in milliseconds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK = SystemClock()


def iso(moment: datetime) -> str:
    """The storage and wire form of a time: ISO 8601 in UTC with microseconds."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `wall` o'clock on `day` in `zone`."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
