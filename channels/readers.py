"""Whom words are written for, and in which language: the gettext catalogues in web/translations
(LANG/LC_MESSAGES/messages.po, read with Babel when first needed; English is the source and
needs none), and a `Reader`: one person's language, its words and their calendar, for what the
domain writes to them itself (e-mails).  The pages use the same catalogues
(server/pages/translations.py); this is the one place that loads them.

    .venv/bin/pybabel extract -F babel.cfg -k N_ -o web/translations/messages.pot .
    .venv/bin/pybabel update -i web/translations/messages.pot -d web/translations
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from channels.dates import Calendar, Moment
from channels.errors import Invalid
from channels.languages import LANGUAGES, language_of
from channels.words import Words

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "web" / "translations"


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def catalogue(language: str) -> gettext.NullTranslations:
    if language == "en" or language not in LANGUAGES:
        return gettext.NullTranslations()
    with catalogue_path(language).open("rb") as source:
        messages = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return Translations(compiled)


def reader_language(chosen: str, programme: Calendar) -> str:
    """A person's language: their choice ('' = none), else the programme's locale's."""
    return language_of(chosen, programme.locale.language)


def reader_calendar(language: str, programme: Calendar) -> Calendar:
    """The programme's zone and region, in the reader's language: 'en' in a Danish programme
    reads dates as en_DK does."""
    if language == programme.locale.language:
        return programme
    territory = programme.locale.territory
    for tag in ([f"{language}_{territory}"] if territory else []) + [language]:
        try:
            return Calendar.of(tag, programme.zone.key)
        except Invalid:  # Babel has no such locale: try the next
            continue
    return programme


@dataclass(frozen=True)
class Reader:
    """Whom a mail is written for: their language and the calendar they read dates in."""

    language: str
    calendar: Calendar

    @classmethod
    def of(cls, chosen: str, programme: Calendar) -> Reader:
        """`chosen`: the person's `users.language` ('' for the programme's)."""
        language = reader_language(chosen, programme)
        return cls(language, reader_calendar(language, programme))

    def gettext(self, message: str) -> str:
        return catalogue(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return catalogue(self.language).ngettext(singular, plural, n)


ENGLISH = Reader("en", Calendar.of("en_GB"))


class Time(Words):
    """A moment in words a reader reads ('Monday, 6 April 2026, 09:00'): in each reader's
    calendar of the programme's zone (`Calendar.moment`), wherever it is said: a sentence the
    domain composes (channels/words.py) or a programme notice (channels/chat/notices.py).  Its
    English is the moment in English."""

    when: str  # ISO
    programme: Calendar

    def __new__(cls, when: Moment, programme: Calendar) -> Time:
        english = reader_calendar("en", programme).moment(when)
        time = str.__new__(cls, english)
        time.template, time.params = english.replace("%", "%%"), {}
        time.when = when if isinstance(when, str) else when.isoformat()
        time.programme = programme
        return time

    def said_in(self, gettext: Callable[[str], str], language: str) -> str:
        return reader_calendar(language, self.programme).moment(self.when)

    def stored(self) -> dict[str, str]:
        """What channels.words `words_json` keeps of it."""
        locale, zone = str(self.programme.locale), self.programme.zone.key
        return {"time": self.when, "locale": locale, "zone": zone}

    @classmethod
    def from_stored(cls, stored: Mapping[str, object]) -> Time:
        when, locale, zone = stored.get("time"), stored.get("locale"), stored.get("zone")
        if not (isinstance(when, str) and isinstance(locale, str) and isinstance(zone, str)):
            raise ValueError("not a stored time")
        try:
            return cls(when, Calendar.of(locale, zone))
        except Invalid as error:
            raise ValueError("not a stored time") from error
