"""The access log, without the secrets some addresses carry.

An invitation or reset link (`/password/<token>`, and `/api/v1/password-links/<token>` that
its page may call) grants an account for days; such a path, and a Referer header holding one,
is written to the log with the token replaced.
"""

from __future__ import annotations

import re

from aiohttp.web_log import AccessLogger

_TOKEN_PATHS = re.compile(r"(/password/|/api/v1/password-links/)[^/?#\s\"]+")


def redact(text: str) -> str:
    return _TOKEN_PATHS.sub(r"\1[redacted]", text)


class RedactingAccessLogger(AccessLogger):
    """aiohttp's access log with every token path redacted (give it as `access_log_class`)."""

    def _format_line(self, request, response, time):  # type: ignore[no-untyped-def]
        return [
            (key, _redacted(value)) for key, value in super()._format_line(request, response, time)
        ]


def _redacted(value: object) -> object:
    return redact(value) if isinstance(value, str) else value
