"""The one error family: a code from a small fixed set and a sentence a person can read.

The sentence is a catalogue template marked with N_ and its parameters (channels.words):
`Invalid(N_("A goal can have at most %(limit)s milestones."), limit=MAX_MILESTONES)`.  Its
`.message` is the English sentence; `said_in` gives the same error in a reader's language.
`server/` maps these to HTTP statuses, socket.io ACKs and HTML pages in one place each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from channels.words import Words


class MentorspaceError(Exception):
    code = "internal"
    status = 500

    def __init__(self, message: str, /, **params: object) -> None:
        words = message if isinstance(message, Words) and not params else Words(message, **params)
        super().__init__(words)
        self.message: str = words

    def said_in(self, gettext: Callable[[str], str], language: str) -> Self:
        """The same error (code, status, headers) with its sentence in `language`."""
        said = type(self).__new__(type(self))  # without __init__: subclasses take other arguments
        said.__dict__.update(self.__dict__)
        said.message = _said(self.message, gettext, language)
        said.args = (said.message,)
        return said

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _said(message: str, gettext: Callable[[str], str], language: str) -> str:
    return message.said_in(gettext, language) if isinstance(message, Words) else message


class Unauthenticated(MentorspaceError):
    code, status = "unauthenticated", 401


class Forbidden(MentorspaceError):
    code, status = "forbidden", 403


class NotFound(MentorspaceError):
    code, status = "not_found", 404


class Invalid(MentorspaceError):
    code, status = "invalid", 400


class TooLarge(MentorspaceError):
    code, status = "too_large", 413


class RateLimited(MentorspaceError):
    code, status = "rate_limited", 429

    def __init__(
        self, message: str, /, *, retry_after: int | None = None, **params: object
    ) -> None:
        super().__init__(message, **params)
        self.retry_after = retry_after  # seconds until trying again can succeed, when known


class Conflict(MentorspaceError):
    code, status = "conflict", 409


ERROR_CODES = [
    cls.code
    for cls in (Unauthenticated, Forbidden, NotFound, Invalid, TooLarge, RateLimited, Conflict)
]
