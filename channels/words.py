"""Words for people that can be said again in each reader's language.

An error (channels.errors) is written in English as a catalogue template, marked with N_ where
it is written, and filled with parameters:

    raise TooLarge(N_("%(what)s is too long: at most %(limit)s characters."),
                   what=Words(N_("A goal")), limit=Count(200))

Its `.message` is the English sentence (for the API's English readers, logs and tests); the
pages, the JSON API and the socket ACKs say it again in the reader's language with
`said_in`.  A parameter that is `Words` (a label marked with N_) is translated too; a `Count`
is grouped as the language writes numbers (10,000 / 10.000); anything else (a name, an
address, what someone typed) is shown as it is and never looked up in a catalogue.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import format_decimal


class Count(int):
    """A number people read, grouped by thousands in their language's way."""


def _english(value: object) -> object:
    return f"{value:,}" if isinstance(value, Count) else value


class Words(str):
    """The English text, remembering its catalogue template and parameters."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, /, **params: object) -> Words:
        if isinstance(template, Words) and not params and type(template) is cls:
            return template
        template = str(template)
        english = {name: _english(value) for name, value in params.items()}
        words = super().__new__(cls, template % english if params else template)
        words.template, words.params = template, params
        return words

    def said_in(self, gettext: Callable[[str], str], language: str) -> str:
        """The same words in `language`, read from its catalogue through `gettext` (English,
        or a template the catalogue lacks, stays as written)."""
        said = gettext(self.template)
        if not self.params:
            return said
        values = {name: _said(value, gettext, language) for name, value in self.params.items()}
        return said % values


def _said(value: object, gettext: Callable[[str], str], language: str) -> object:
    if isinstance(value, Words):
        return value.said_in(gettext, language)
    if isinstance(value, Count):
        return format_decimal(int(value), locale=language)
    return value


class Sentence(Words):
    """Words that start a sentence: the first letter a capital, in every language (a reason
    written to follow 'Question 2:' said on its own)."""

    def __new__(cls, template: str, /, **params: object) -> Sentence:
        words = super().__new__(cls, template, **params)
        sentence = str.__new__(cls, _capital(str(words)))
        sentence.template, sentence.params = words.template, words.params
        return sentence

    def said_in(self, gettext: Callable[[str], str], language: str) -> str:
        return _capital(super().said_in(gettext, language))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def joined(parts: list[Words], separator: str = " ") -> Words:
    """Several sentences as one, each said in the reader's language."""
    names = [f"part{n}" for n in range(len(parts))]
    template = separator.join(f"%({name})s" for name in names)
    return Words(template, **dict(zip(names, parts, strict=True)))
