"""Headers every response carries: a Content-Security-Policy that allows only this site's own
scripts and styles (no inline script, no inline event handler, no eval), and the usual
protections against framing, sniffing and leaking the address; and an access log that never
writes the tokens of account links."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.web_log import AccessLogger

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.content_type == "text/html":
        # Pages show private conversations: never keep them in a shared cache.
        response.headers.setdefault("Cache-Control", "no-store")
    elif request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-cache")


# The access log, without the secrets some addresses carry.  An invitation or reset link
# (`/password/<token>`, and `/api/v1/password-links/<token>` that its page may call) grants an
# account for days; such a path, and a Referer header holding one, is logged with the token
# replaced.  A file's address carries its name (a pair's "CV draft" is pair content) and a
# search its words: both are logged without them.

_TOKEN_PATHS = re.compile(r"(/password/|/api/v1/password-links/)[^/?#\s\"]+")
_PRIVATE_PATHS = re.compile(r"(/files/|/thumbnails/)[^?#\s\"]+")
_SEARCH_WORDS = re.compile(r"([?&]q=)[^&#\s\"]*")


def redact(text: str) -> str:
    text = _TOKEN_PATHS.sub(r"\1[redacted]", text)
    text = _PRIVATE_PATHS.sub(r"\1[redacted]", text)
    return _SEARCH_WORDS.sub(r"\1[redacted]", text)


class RedactingAccessLogger(AccessLogger):
    """aiohttp's access log with every token path redacted (give it as `access_log_class`)."""

    def _format_line(self, request, response, time):  # type: ignore[no-untyped-def]
        return [
            (key, _redacted(value)) for key, value in super()._format_line(request, response, time)
        ]


def _redacted(value: object) -> object:
    return redact(value) if isinstance(value, str) else value
