"""Sessions on the wire: logging in, the cookie, who is asking, and the guard against
cross-site requests."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from channels.errors import Forbidden, Unauthenticated
from channels.languages import N_
from channels.people import accounts
from channels.people.accounts import SESSION_LIFETIME, load_session_user, token_hash
from channels.policy import check_coordinator
from server import keys
from server.realtime.emit import disconnect_session
from storage.records import User

# The session cookie.  Where people reach the server over https (the public URL is https, or
# the request itself is), it is `__Host-mentorspace_session`, Secure, Path=/ and without a
# Domain: the prefix makes browsers refuse it unless it came that way from this very host, so
# a neighbouring subdomain or a plain-http page cannot plant a session of its choosing.  Over
# plain http (`make run`, the tests, a LAN address) browsers drop a `__Host-` cookie without
# Secure, and a Secure one is kept only on loopback addresses (Chromium 156 on
# http://127.0.0.1 keeps `__Host-x; Secure`, drops `__Host-x` without it; aiohttp's client
# never sends a Secure cookie over http), so there it is plain `mentorspace_session`.  Each
# server reads only its own name.
COOKIE = "mentorspace_session"
SECURE_COOKIE = "__Host-" + COOKIE
_USER: web.RequestKey[User] = web.RequestKey("user", User)
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Bodies the API takes.  Neither can be sent cross-site without a CORS preflight, which this
# server never grants (text/csv is for POST /api/v1/users/import).
_API_BODIES = (  # none can be sent cross-site without a CORS preflight
    "application/json",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",  # the user import
)


def cookie_name(secure: bool) -> str:
    return SECURE_COOKIE if secure else COOKIE


def secure_request(request: web.Request) -> bool:
    return request.app[keys.CONFIG].secure_site() or request.secure


def session_token(request: web.Request) -> str | None:
    """The session cookie of a request (HTTP or the socket.io handshake)."""
    return request.cookies.get(cookie_name(secure_request(request)))


def client_address(request: web.Request) -> str:
    """Who is asking, for rate limits: the direct peer, or, when that peer is one of the
    MENTORSPACE_TRUSTED_PROXIES, the right-most X-Forwarded-For address that is not itself a
    trusted proxy (addresses left of it were written by the client and prove nothing)."""
    peer = request.remote or "unknown"
    trusted = request.app[keys.CONFIG].trusted_proxies
    if not trusted or not _in(peer, trusted):
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getall("X-Forwarded-For", [])
        for hop in header.split(",")
    ]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            return hop if _ip(hop) is not None else peer
        peer = hop
    return peer


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _in(address: str, networks) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in networks)


async def log_in(request: web.Request, *, email: object, password: object) -> accounts.LoggedIn:
    """Check the credentials and open a session (the caller sets its cookie), for the JSON API
    and the login form alike.  A session the request's cookie held ends in the same write, and
    its sockets are hung up after it."""
    old_token = session_token(request)
    logged_in = await accounts.log_in(
        request.app[keys.STORE],
        email=email,
        password=password,
        address=client_address(request),
        replaces=old_token,
        idle=request.app[keys.CONFIG].session_idle(),
        clock=request.app[keys.CLOCK],
    )
    if logged_in.replaced_user_id is not None:
        await disconnect_session(request.app, logged_in.replaced_user_id, old_token)
    return logged_in


async def current_user(request: web.Request) -> User:
    """The logged-in user, checked against storage once per request."""
    if _USER not in request:
        request[_USER] = await load_session_user(
            request.app[keys.STORE], session_token(request), clock=request.app[keys.CLOCK]
        )
    return request[_USER]


def known_user(request: web.Request) -> User | None:
    """The logged-in user if this request has loaded them already (without asking storage)."""
    return request.get(_USER)


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
    secure = secure_request(request)
    response.set_cookie(
        cookie_name(secure),
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    secure = secure_request(request)
    response.del_cookie(cookie_name(secure), path="/", secure=secure, httponly=True)


def csrf_token(request: web.Request) -> str:
    """The token a form must carry: bound to the session (or empty before login)."""
    token = session_token(request) or ""
    digest = hmac.new(request.app[keys.SECRET], token_hash(token).encode(), hashlib.sha256)
    return digest.hexdigest()


EXPIRED_FORM = N_("This form has expired. Please reload the page and try again.")


def check_csrf(request: web.Request, sent: object) -> None:
    """The page's CSRF token, as a form field or the X-CSRF-Token header; Forbidden otherwise."""
    # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    expected = csrf_token(request).encode()
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected):
        raise Forbidden(EXPIRED_FORM)


Handler = TypeVar("Handler", bound=Callable[..., Any])


def streams_its_body(handler: Handler) -> Handler:
    """Mark a route that reads its multipart body itself, part by part and never whole (file
    uploads, which may be far larger than the body limit of every other route).  The guard
    still refuses a foreign Origin, and leaves the CSRF token to the handler
    (`server.api.params.read_streamed_form` checks it before any file part)."""
    handler.streams_its_body = True  # type: ignore[attr-defined]
    return handler


def _streams_its_body(request: web.Request) -> bool:
    return getattr(request.match_info.handler, "streams_its_body", False)


def own_origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def origin_allowed(request: web.Request, origin: str) -> bool:
    allowed = request.app[keys.CONFIG].allowed_origins or (own_origin(request),)
    return origin.rstrip("/") in allowed


# Links whose signed path is their own authority: a mail client's one-click unsubscribe
# (RFC 8058) posts from no page at all, with no session and no CSRF token.
SIGNED_LINKS = ("/digests/unsubscribe/",)


@web.middleware
async def cross_site_guard(request: web.Request, handler) -> web.StreamResponse:
    """Refuse state-changing requests from other sites: a foreign Origin or Sec-Fetch-Site,
    and HTML forms without the session's CSRF token.  JSON bodies cannot be sent cross-site
    without a CORS preflight, which this server never grants."""
    if request.method in _UNSAFE and not request.path.startswith(SIGNED_LINKS):
        origin = request.headers.get("Origin")
        if origin is not None and not origin_allowed(request, origin):
            raise Forbidden(N_("Requests from other sites are not accepted."))
        if request.headers.get("Sec-Fetch-Site") == "cross-site" and origin is None:
            raise Forbidden(N_("Requests from other sites are not accepted."))
        if _streams_its_body(request):
            pass  # the handler checks the token as it reads the body
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            check_csrf(request, form.get("csrf_token"))
        elif request.path.startswith("/api/") and request.can_read_body:
            if request.content_type not in _API_BODIES:
                raise Forbidden(N_("The API takes JSON bodies (Content-Type: application/json)."))
    return await handler(request)
