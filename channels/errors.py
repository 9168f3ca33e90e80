"""The one error family: a code from a small fixed set and a sentence a person can read.

`server/` maps these to HTTP statuses, socket.io ACKs and HTML pages in one place each.
"""

from __future__ import annotations


class MentorspaceError(Exception):
    code = "internal"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


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

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds until trying again can succeed, when known


class Conflict(MentorspaceError):
    code, status = "conflict", 409


ERROR_CODES = [
    cls.code
    for cls in (Unauthenticated, Forbidden, NotFound, Invalid, TooLarge, RateLimited, Conflict)
]
