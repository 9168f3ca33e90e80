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

import json
from collections.abc import Callable, Sequence

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


class Clause(Words):
    """A sentence said inside another: its first letter small and no full stop, in every
    language ('name cannot be empty', a reason after 'line 6:')."""

    def __new__(cls, template: str, /, **params: object) -> Clause:
        words = Words(template, **params)
        clause = str.__new__(cls, _clause(str(words)))
        clause.template, clause.params = words.template, words.params
        return clause

    @classmethod
    def of(cls, words: str) -> Clause:
        """`words` (an error's message, say) said as a clause."""
        if isinstance(words, Words):
            return cls(words.template, **words.params)
        return cls(words.replace("%", "%%"))

    def said_in(self, gettext: Callable[[str], str], language: str) -> str:
        return _clause(super().said_in(gettext, language))


def _clause(text: str) -> str:
    text = text.rstrip(".")
    return text[:1].lower() + text[1:]


def joined(parts: Sequence[str], separator: str = " ") -> Words:
    """Several sentences (or names) as one, each said in the reader's language (a `Words`)
    or as it is (any other text)."""
    names = [f"part{n}" for n in range(len(parts))]
    template = separator.join(f"%({name})s" for name in names)
    return Words(template, **dict(zip(names, parts, strict=True)))


def words_json(words: Words) -> str:
    """Words as they are stored to be said again in each reader's language: the template and
    its parameters, as JSON (`words_of` reads them back)."""
    return json.dumps(_encoded(words), ensure_ascii=False, sort_keys=True)


def _encoded(value: object) -> object:
    stored = getattr(value, "stored", None)
    if isinstance(value, Words) and callable(stored):  # a time (channels.readers.Time)
        return stored()
    if isinstance(value, Words):
        kind = "sentence" if isinstance(value, Sentence) else "words"
        params = {name: _encoded(v) for name, v in value.params.items()}
        return {kind: value.template, "params": params}
    if isinstance(value, Count):
        return {"count": int(value)}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def words_of(stored: str) -> Words:
    """The words `words_json` stored; ValueError if `stored` is not such words."""
    try:
        decoded = _decoded(json.loads(stored))
    except (KeyError, TypeError) as error:  # a template and its parameters that do not agree
        raise ValueError("not stored words") from error
    if not isinstance(decoded, Words):
        raise ValueError("not stored words")
    return decoded


def _decoded(value: object) -> object:
    if isinstance(value, dict):
        if set(value) == {"count"} and isinstance(value["count"], int):
            return Count(value["count"])
        if "time" in value:
            from channels.readers import Time  # which reads calendars, and so imports this

            return Time.from_stored(value)
        params = value.get("params")
        for kind, cls in (("sentence", Sentence), ("words", Words)):
            template = value.get(kind)
            if isinstance(template, str) and isinstance(params, dict):
                return cls(template, **{str(k): _decoded(v) for k, v in params.items()})
        raise ValueError("not stored words")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    raise ValueError("not stored words")
