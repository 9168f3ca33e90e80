"""Reading what an HTTP request carries, for the JSON API and the pages alike: a JSON body,
whole numbers in its path, query string or form, and form text.  Each fails the same way:
`Invalid`, with "'name' must be a (positive) whole number." as the socket payloads say it."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from channels.errors import Invalid

LIMIT = 2**53  # safe in JSON and in JavaScript, as channels.input.check_id takes it


async def read_json(request: web.Request) -> dict[str, Any]:
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise Invalid("Expected a JSON object.")
    return payload


def _whole_number(text: str | None, what: str, *, positive: bool = False) -> int | None:
    """The one parser: None or "" stays None; anything but ASCII digits is refused."""
    if text is None or text == "":
        return None
    if (
        not text.isascii()
        or not text.isdigit()
        or len(text) > len(str(LIMIT))
        or int(text) >= LIMIT
        or (positive and int(text) == 0)
    ):
        raise Invalid(f"{what} must be a {'positive ' if positive else ''}whole number.")
    return int(text)


def path_id(request: web.Request, name: str) -> int:
    """The id in a path segment such as /channels/{channel_id}: a positive whole number."""
    value = _whole_number(request.match_info[name], f"'{name}'", positive=True)
    assert value is not None  # a route's path segment is never empty
    return value


def query_int(request: web.Request, name: str) -> int | None:
    """A whole number in the query string, or None when it is missing or empty."""
    return _whole_number(request.query.get(name), f"'{name}'")


def form_text(form: Any, name: str) -> str:
    """A form field as text: "" when it is missing or is a file."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def form_int(form: Any, name: str, what: str | None = None) -> int | None:
    """A whole number typed into a form (spaces around it ignored), or None when empty."""
    return _whole_number(form_text(form, name).strip(), what or f"'{name}'")
