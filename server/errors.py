"""Where the error family meets the wire: one middleware for HTTP (JSON under /api, elsewhere
the page the app holds at keys.ERROR_PAGE) and one function for socket.io ACKs."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from aiohttp import web

from channels.errors import (
    Forbidden,
    Invalid,
    MentorspaceError,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthenticated,
)
from channels.languages import N_
from server import keys
from server.auth import known_user, optional_user
from server.pages import translations
from storage.files import FileStoreUnavailable
from storage.records import User

log = logging.getLogger(__name__)

_FROM_HTTP = {
    400: Invalid(N_("That request was not understood.")),
    401: Unauthenticated(N_("Please log in.")),
    403: Forbidden(N_("You are not allowed to do that.")),
    404: NotFound(N_("There is nothing at this address.")),
    405: Invalid(N_("That method is not allowed here.")),
    413: TooLarge(N_("That request is too large.")),
}


class FormRefused(Exception):
    """The domain refused what a form sent: the error middleware answers with `page` (the
    form again, with the reason) and the error's headers."""

    def __init__(self, page: web.Response, error: MentorspaceError) -> None:
        super().__init__(error.message)
        self.page, self.error = page, error


def error_json(error: MentorspaceError) -> dict[str, Any]:
    return {"error": error.as_dict()}


E = TypeVar("E", bound=MentorspaceError)


def said_to(app: web.Application, reader: User | None, error: E) -> E:
    """The error with its sentence in the reader's language (the programme's for nobody), for
    the JSON API and the socket ACKs: the code stays the same, for programs."""
    programme = app[keys.TEMPLATES].globals["programme_calendar"]
    language = translations.reader_language(reader.language if reader else "", programme)
    return translations.said_in(error, language)


async def _reader(request: web.Request) -> User | None:
    """Who the error is for, if anyone is logged in (a failure here leaves the programme's
    language: the error must still be answered)."""
    if (user := known_user(request)) is not None:
        return user
    try:
        return await optional_user(request)
    except Exception:
        return None


def add_error_headers(response: web.StreamResponse, error: MentorspaceError) -> None:
    """Headers an error carries on every HTTP answer, API or page: a rate limit says when to
    try again (`Retry-After`, in seconds)."""
    if isinstance(error, RateLimited) and error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)


def internal_error() -> MentorspaceError:
    return MentorspaceError(N_("Something went wrong on our side. Please try again."))


class Unavailable(MentorspaceError):
    """A service the server needs does not answer: not the person's fault, and it passes."""

    status = 503


def files_unavailable() -> MentorspaceError:
    return Unavailable(N_("Files cannot be reached right now. Please try again in a few minutes."))


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


@web.middleware
async def error_middleware(request: web.Request, handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except FormRefused as refused:
        add_error_headers(refused.page, refused.error)
        return refused.page
    except MentorspaceError as error:
        failure, status = error, error.status
    except web.HTTPException as http:
        if http.status < 400 or http.status not in _FROM_HTTP:
            raise
        failure, status = _FROM_HTTP[http.status], http.status
    except FileStoreUnavailable as error:  # S3 down or refusing us: said, and logged
        log.error("the file store failed on %s %s: %s", request.method, request.path, error)
        failure = files_unavailable()
        status = failure.status
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        failure = internal_error()
        status = failure.status
    reader = await _reader(request)  # the error page finds them too (auth.known_user)
    if _is_api(request):
        said = said_to(request.app, reader, failure)
        response = web.json_response(error_json(said), status=status)
    else:
        response = request.app[keys.ERROR_PAGE](request, failure)
    add_error_headers(response, failure)
    return response
