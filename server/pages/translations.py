"""The interface in each person's language: the gettext catalogues in web/translations
(LANG/LC_MESSAGES/messages.po, read with Babel when first needed; English is the source and
needs none), handed to the templates through Jinja's i18n extension (`{% trans %}`, `_()`).

    .venv/bin/pybabel extract -F babel.cfg -o web/translations/messages.pot .
    .venv/bin/pybabel update -i web/translations/messages.pot -d web/translations
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from channels.dates import Calendar
from channels.errors import Invalid, MentorspaceError
from channels.languages import LANGUAGES, language_of
from channels.words import Words

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "web" / "translations"


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


JS_DIR = Path(__file__).resolve().parents[2] / "web" / "static" / "js"
JS_KEYWORDS = {"gettext": None, "ngettext": (1, 2)}


@cache
def js_words(language: str) -> dict[str, str]:
    """The translations of the words the browser's modules write (web/static/js/words.js),
    for the page to carry; none for English, whose words are the source."""
    if language == "en" or language not in LANGUAGES:
        return {}
    translations = catalogue(language)
    words = {}
    for path in sorted(JS_DIR.glob("*.js")):
        with path.open("rb") as source:
            for _line, message, _comments, _context in extract(
                "javascript", source, keywords=JS_KEYWORDS
            ):
                if isinstance(message, tuple):  # ngettext: its one and its many
                    one, many = message[:2]
                    words[one] = translations.ngettext(one, many, 1)
                    words[many] = translations.ngettext(one, many, 2)
                elif message:
                    words[message] = translations.gettext(message)
    return words


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    return catalogue(context["language"]).gettext(message)


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    return catalogue(context["language"]).ngettext(singular, plural, n)


def install(templates: jinja2.Environment) -> None:
    """`{% trans %}` and `_()` in every template, in the language its context names."""
    templates.add_extension("jinja2.ext.i18n")
    templates.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]


def said_in(value: Any, language: str) -> Any:
    """An error (channels.errors), or the words of one, in `language`; a dict of them (the
    reason next to each question of a form) too; anything else as it is."""
    gettext = catalogue(language).gettext
    if isinstance(value, MentorspaceError | Words):
        return value.said_in(gettext, language)
    if isinstance(value, dict) and any(isinstance(v, Words) for v in value.values()):
        return {key: said_in(v, language) for key, v in value.items()}
    return value


def reader_language(chosen: str, programme: Calendar) -> str:
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
