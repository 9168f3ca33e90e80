"""How a date or time reads, on every page and in every e-mail: one set of formats, in the
programme's locale and time zone.  The patterns are CLDR's, through Babel; the browser rewrites
the times it can with Intl, which uses the same data (web/static/js/time.js)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time

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
        """The locale as a language tag, for `<html lang>` and the browser's Intl: 'en-GB'."""
        return str(self.locale).replace("_", "-")

    def _local(self, when: Moment) -> datetime:
        moment = datetime.fromisoformat(when) if isinstance(when, str) else when
        return moment.astimezone(self.zone)

    def _with_time(self, day: str, local: datetime) -> str:
        glue = self.locale.datetime_formats["medium"]
        return glue.format(format_time(local, "short", locale=self.locale), day)

    def moment(self, when: Moment) -> str:
        """A time, exactly: '29 Nov 2026, 19:05' (en_GB), '29. nov. 2026 19.05' (da)."""
        local = self._local(when)
        return self._with_time(format_date(local, "medium", locale=self.locale), local)

    def day(self, when: Moment) -> str:
        """A day: '29 Nov 2026'."""
        return format_date(self._local(when), "medium", locale=self.locale)

    def due(self, when: Moment) -> str:
        """A near time something is due: 'Sunday 29 November, 19:05'."""
        local = self._local(when)
        return self._with_time(format_skeleton("MMMMEEEEd", local, locale=self.locale), local)

    def long(self, when: Moment) -> str:
        """A time in a sentence, with its weekday and year: 'Monday, 6 April 2026, 09:00'."""
        local = self._local(when)
        return self._with_time(format_date(local, "full", locale=self.locale), local)

    def day_of_month(self, when: Moment) -> str:
        """'29 November', for a date in a sentence."""
        return format_skeleton("MMMMd", self._local(when), locale=self.locale)
