"""Where the error family meets the wire: one middleware for HTTP (JSON under /api, elsewhere
the page the app holds at keys.ERROR_PAGE) and one function for socket.io ACKs."""

from __future__ import annotations

import logging
from typing import Any

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
from server import keys

log = logging.getLogger(__name__)

_FROM_HTTP = {
    400: Invalid("That request was not understood."),
    401: Unauthenticated("Please log in."),
    403: Forbidden("You are not allowed to do that."),
    404: NotFound("There is nothing at this address."),
    405: Invalid("That method is not allowed here."),
    413: TooLarge("That request is too large."),
}


class FormRefused(Exception):
    """The domain refused what a form sent: the error middleware answers with `page` (the
    form again, with the reason) and the error's headers."""

    def __init__(self, page: web.Response, error: MentorspaceError) -> None:
        super().__init__(error.message)
        self.page, self.error = page, error


def error_json(error: MentorspaceError) -> dict[str, Any]:
    return {"error": error.as_dict()}


def add_error_headers(response: web.StreamResponse, error: MentorspaceError) -> None:
    """Headers an error carries on every HTTP answer, API or page: a rate limit says when to
    try again (`Retry-After`, in seconds)."""
    if isinstance(error, RateLimited) and error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)


def internal_error() -> MentorspaceError:
    return MentorspaceError("Something went wrong on our side. Please try again.")


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
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        failure = internal_error()
        status = failure.status
    if _is_api(request):
        response = web.json_response(error_json(failure), status=status)
    else:
        response = await request.app[keys.ERROR_PAGE](request, failure)
    add_error_headers(response, failure)
    return response
