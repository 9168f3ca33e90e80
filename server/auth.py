"""Sessions on the wire: the cookie, who is asking, and the guard against cross-site requests."""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from channels.accounts import load_session_user, token_hash
from channels.admin import check_coordinator
from channels.errors import Forbidden, Unauthenticated
from storage.records import User

from . import keys

COOKIE = "mentorspace_session"
_USER: web.RequestKey[User] = web.RequestKey("user", User)
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Bodies the API takes.  Neither can be sent cross-site without a CORS preflight, which this
# server never grants (text/csv is for POST /api/v1/users/import).
_API_BODIES = ("application/json", "text/csv")


def session_token(request: web.Request) -> str | None:
    return request.cookies.get(COOKIE)


def client_address(request: web.Request) -> str:
    """The address a request came from (the peer's, for now)."""
    return request.remote or "unknown"


async def current_user(request: web.Request) -> User:
    """The logged-in user, checked against storage once per request."""
    if _USER not in request:
        request[_USER] = await load_session_user(
            request.app[keys.STORE], session_token(request), clock=request.app[keys.CLOCK]
        )
    return request[_USER]


async def current_coordinator(request: web.Request) -> User:
    """The logged-in user, who must be a coordinator (Forbidden otherwise)."""
    user = await current_user(request)
    check_coordinator(user)
    return user


async def optional_user(request: web.Request) -> User | None:
    try:
        return await current_user(request)
    except Unauthenticated:
        return None


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=30 * 24 * 3600,
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.secure,
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/")


def csrf_token(request: web.Request) -> str:
    """The token a form must carry: bound to the session (or empty before login)."""
    token = session_token(request) or ""
    digest = hmac.new(request.app[keys.SECRET], token_hash(token).encode(), hashlib.sha256)
    return digest.hexdigest()


def own_origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def origin_allowed(request: web.Request, origin: str) -> bool:
    allowed = request.app[keys.CONFIG].allowed_origins or (own_origin(request),)
    return origin.rstrip("/") in allowed


@web.middleware
async def cross_site_guard(request: web.Request, handler) -> web.StreamResponse:
    """Refuse state-changing requests from other sites: a foreign Origin or Sec-Fetch-Site,
    and HTML forms without the session's CSRF token.  JSON bodies cannot be sent cross-site
    without a CORS preflight, which this server never grants."""
    if request.method in _UNSAFE:
        origin = request.headers.get("Origin")
        if origin is not None and not origin_allowed(request, origin):
            raise Forbidden("Requests from other sites are not accepted.")
        if request.headers.get("Sec-Fetch-Site") == "cross-site" and origin is None:
            raise Forbidden("Requests from other sites are not accepted.")
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            sent = form.get("csrf_token")
            if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token(request)):
                raise Forbidden("This form has expired. Please reload the page and try again.")
        elif request.path.startswith("/api/") and request.can_read_body:
            if request.content_type not in _API_BODIES:
                raise Forbidden("The API takes JSON bodies (Content-Type: application/json).")
    return await handler(request)
