"""Reading what an HTTP request carries, for the JSON API and the pages alike: a JSON body,
whole numbers in its path, query string or form, form text, and a multipart form with a file
streamed part by part.  Each fails the same way:
`Invalid`, with "'name' must be a (positive) whole number." as the socket payloads say it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from channels.errors import Forbidden, Invalid, TooLarge
from channels.languages import N_
from channels.words import Words
from server.auth import EXPIRED_FORM, check_csrf

LIMIT = 2**53  # safe in JSON and in JavaScript, as channels.input.check_id takes it


async def read_json(request: web.Request) -> dict[str, Any]:
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid(N_("The request body is not valid JSON.")) from None
    if not isinstance(payload, dict):
        raise Invalid(N_("Expected a JSON object."))
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
        if positive:
            raise Invalid(N_("%(what)s must be a positive whole number."), what=Words(what))
        raise Invalid(N_("%(what)s must be a whole number."), what=Words(what))
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


# A multipart form with a file, read part by part (never whole): the upload routes.

CHUNK = 64 * 1024
MAX_FIELD = 64 * 1024  # bytes of one text field (a message of 10,000 characters fits)
MAX_FIELDS = 8
MULTIPART_SLACK = 64 * 1024  # what the part headers and text fields add to a file's size
T = TypeVar("T")
OnFile = Callable[[str, AsyncIterator[bytes]], Awaitable[T]]


def check_content_length(request: web.Request, limit: int, refusal: Exception) -> None:
    """Refuse a body announced larger than `limit` (plus the multipart slack) before a byte
    of it is read."""
    announced = request.content_length
    if announced is not None and announced > limit + MULTIPART_SLACK:
        raise refusal


async def _chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(CHUNK):
        yield chunk


async def _field(part: BodyPartReader) -> str:
    value = bytearray()
    async for chunk in _chunks(part):
        value += chunk
        if len(value) > MAX_FIELD:
            raise TooLarge(N_("The form field '%(name)s' is too long."), name=part.name)
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(N_("The form field '%(name)s' is not UTF-8 text."), name=part.name) from None


def _browser_filename(sent: str) -> str:
    """A multipart filename as browsers escape it (the HTML standard: `"`, CR and LF only)."""
    return sent.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


async def read_streamed_form(
    request: web.Request, *, file_field: str, on_file: OnFile[T]
) -> tuple[dict[str, str], T | None]:
    """A multipart/form-data body, part by part: its text fields, and the one file in
    `file_field` handed to `on_file(filename, chunks)` as it arrives (an empty file input,
    which a browser sends as a part without a filename, is skipped).  The page's CSRF token
    must come first: as the X-CSRF-Token header, or a `csrf_token` field before the file."""
    if request.content_type != "multipart/form-data":
        raise Invalid(N_("Send the file as multipart/form-data."))
    checked = "X-CSRF-Token" in request.headers
    if checked:
        check_csrf(request, request.headers["X-CSRF-Token"])
    fields: dict[str, str] = {}
    result: T | None = None
    taken = False
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                raise Invalid(N_("Each part of the form must be a named field."))
            if part.filename is None:
                if len(fields) >= MAX_FIELDS or part.name in fields:
                    raise Invalid(N_("The form has more fields than it should."))
                fields[part.name] = await _field(part)
                if part.name == "csrf_token" and not checked:
                    check_csrf(request, fields["csrf_token"])
                    checked = True
                continue
            if part.name != file_field or taken:
                raise Invalid(
                    N_("Send one file, in the form field '%(file_field)s'."), file_field=file_field
                )
            if not checked:
                raise Forbidden(EXPIRED_FORM)
            taken = True
            if part.filename == "":
                async for _ in _chunks(part):  # an empty file input: nothing chosen
                    pass
                continue
            result = await on_file(_browser_filename(part.filename), _chunks(part))
    except (ValueError, HttpProcessingError):  # a malformed body (aiohttp's multipart parser)
        raise Invalid(N_("The form could not be read: it is not well-formed multipart.")) from None
    if not checked:
        raise Forbidden(EXPIRED_FORM)
    return fields, result
