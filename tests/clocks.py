"""A clock tests move by hand, so weeks of schedule pass in milliseconds without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        """Starts at `start` (aware), or at the real time now."""
        start = start or datetime.now(UTC)
        assert start.tzinfo is not None
        self.moment = start.astimezone(UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment

    def set(self, moment: datetime) -> None:
        assert moment >= self.moment, "time only moves forward"
        self.moment = moment.astimezone(UTC)


def next_whole_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
