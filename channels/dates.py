"""How a date or time reads, on every page, in every e-mail and notice, and in the browser: one
format per kind, in the programme's locale and time zone (a reader of another language reads it
in their language's calendar of that zone, channels/readers.py).

    moment  a date and time   'Thursday, 3 December 2026, 02:27'  'torsdag den 3. december 2026 02.27'
    day     a date            'Thursday, 3 December 2026'         'torsdag den 3. december 2026'
    clock   a time of day     '02:27'                             '02.27'

The patterns and names are CLDR's, through Babel: the locale's full date, its short time, and its
glue between them.  The browser does not choose formats of its own: `browser_json` hands the same
patterns and names to web/static/js/time.js, which fills them in (a time that arrives live, and
'5 minutes ago' with the moment on hover), so a time reads the same from the server and the
browser."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time

from channels.errors import Invalid
from channels.languages import N_

Moment = datetime | str  # a stored ISO time is formatted as it is read


@dataclass(frozen=True)
class Calendar:
    locale: Locale
    zone: ZoneInfo

    @classmethod
    def of(cls, locale: str, zone: str = "UTC") -> Calendar:
        """`Calendar.of("da_DK", "Europe/Copenhagen")`; an unknown locale is refused."""
        try:
            return cls(Locale.parse(locale.replace("-", "_")), ZoneInfo(zone))
        except (UnknownLocaleError, ValueError, TypeError):
            raise Invalid(
                N_("%(locale)s is not a locale such as en_GB or da_DK"), locale=repr(locale)
            ) from None

    @property
    def tag(self) -> str:
        """The locale as a language tag, for `<html lang>`: 'en-GB'."""
        return str(self.locale).replace("_", "-")

    @cached_property
    def patterns(self) -> dict[str, str]:
        """The one pattern of each kind (CLDR's syntax), the same for the server and browser."""
        day = self.locale.date_formats["full"].pattern
        clock = self.locale.time_formats["short"].pattern
        return {
            "moment": self.locale.datetime_formats["full"].format(clock, day),
            "day": day,
            "clock": clock,
        }

    def _local(self, when: Moment | date) -> datetime:
        moment = datetime.fromisoformat(when) if isinstance(when, str) else when
        if not isinstance(moment, datetime):  # a date: it is that day wherever one is
            return datetime(moment.year, moment.month, moment.day, tzinfo=self.zone)
        return moment.astimezone(self.zone)

    def moment(self, when: Moment) -> str:
        """A date and time: 'Thursday, 3 December 2026, 02:27'."""
        return format_datetime(self._local(when), self.patterns["moment"], locale=self.locale)

    def day(self, when: Moment | date) -> str:
        """A date: 'Thursday, 3 December 2026' (the day `when` is in the programme's zone)."""
        return format_date(self._local(when), self.patterns["day"], locale=self.locale)

    def clock(self, when: Moment | time) -> str:
        """A time of day: '02:27' (en_GB), '02.27' (da); a `time` as the wall clock shows it."""
        wall = when if isinstance(when, time) else self._local(when).timetz()
        return format_time(wall, self.patterns["clock"], locale=self.locale)

    def weekday(self, number: int, *, standalone: bool = False) -> str:
        """Day `number` of the week (0 is Monday) as the locale names it: 'Monday', 'mandag'
        (in a sentence; `standalone` for a day named on its own, as in a list)."""
        return self.locale.days["stand-alone" if standalone else "format"]["wide"][number]

    @cached_property
    def browser_json(self) -> str:
        """What web/static/js/time.js needs to write a time as `moment`, `day` and `clock` do:
        the zone, the patterns and the names they use (Monday is day 0, as in Babel)."""
        months, days = self.locale.months["format"], self.locale.days["format"]
        periods = self.locale.day_periods["format"]["abbreviated"]
        names = {
            "months": {w: [months[w][n] for n in range(1, 13)] for w in _WIDTHS},
            "days": {w: [days[w][n] for n in range(7)] for w in _WIDTHS},
            "periods": [periods["am"], periods["pm"]],
        }
        return json.dumps(
            {"zone": self.zone.key, "patterns": self.patterns, "names": names},
            ensure_ascii=False,
            separators=(",", ":"),
        )


_WIDTHS = ("abbreviated", "wide")
