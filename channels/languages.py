"""The languages the interface is written in, and a person's choice among them."""

from __future__ import annotations

from babel import Locale

from channels.errors import Invalid
from channels.words import Words

# Each name in its own language, as it stands alone (a choice in a list): capitalised.
LANGUAGES = {"en": "English", "da": "Dansk"}
PROGRAMME_DEFAULT = ""  # a person who has not chosen reads the programme's language


def N_(message: str) -> str:
    """Marks a string for the catalogues (babel.cfg) where it is written; it is translated
    where it is shown, in the reader's language."""
    return message


_ROLE = {"mentor": N_("mentor"), "mentee": N_("mentee"), "coordinator": N_("coordinator")}
_ROLES = {"mentor": N_("mentors"), "mentee": N_("mentees"), "coordinator": N_("coordinators")}


def role_word(role: str) -> str:
    """A role as a sentence names it ('a %(role)s'), said in the reader's language."""
    return Words(_ROLE[role]) if role in _ROLE else role


def roles_word(role: str) -> str:
    """A role's people ('for %(roles)s'), said in the reader's language."""
    return Words(_ROLES[role]) if role in _ROLES else f"{role}s"


def check_language(value: object) -> str:
    if value == PROGRAMME_DEFAULT or (isinstance(value, str) and value in LANGUAGES):
        return value
    names = ", ".join(f"'{code}' ({name})" for code, name in LANGUAGES.items())
    raise Invalid(
        N_("The language must be one of %(names)s, or '' for the programme's."), names=names
    )


def language_of(chosen: str, programme: str) -> str:
    """What a person reads: their choice, else the programme's language, else English."""
    if chosen in LANGUAGES:
        return chosen
    return programme if programme in LANGUAGES else "en"


def language_in_sentence(code: str, reader: str) -> str:
    """A language's name inside a sentence in the `reader`'s language, as CLDR writes it
    there: "dansk" and "engelsk" in Danish text, "Danish" and "English" in English."""
    return Locale.parse(code).get_display_name(reader) or LANGUAGES[code]
