"""The interface in each person's language: the gettext catalogues (loaded by
channels/readers.py, which the domain's e-mails use too) handed to the templates through Jinja's
i18n extension (`{% trans %}`, `_()`), and the words the browser's modules write."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.messages.extract import extract

from channels.errors import MentorspaceError
from channels.files.kinds import ALLOWED, label_of
from channels.goals.goals import STATUSES as GOAL_STATUSES
from channels.languages import LANGUAGES
from channels.readers import catalogue, catalogue_path, reader_calendar, reader_language
from channels.words import Words

__all__ = [
    "catalogue",
    "catalogue_path",
    "install",
    "js_words",
    "reader_calendar",
    "reader_language",
    "said_in",
]

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
    # Labels the server sends in a message for the modules to show: a file's kind, a goal's
    # status (marked where channels/ writes them).
    for label in [*ALLOWED.values(), label_of(""), *GOAL_STATUSES.values()]:
        words[label] = translations.gettext(label)
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
