"""Checks for untrusted input: each returns the clean value or raises `Invalid`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any, Literal, overload
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from channels.clock import local_instant
from channels.errors import Invalid, TooLarge
from channels.languages import N_
from channels.words import Count, Words

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_URL = 500


def check_object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise Invalid(N_("Expected a JSON object."))
    return payload


@overload
def check_id(payload: dict[str, Any], key: str, *, optional: Literal[False] = False) -> int: ...
@overload
def check_id(payload: dict[str, Any], key: str, *, optional: bool) -> int | None: ...
def check_id(payload: dict[str, Any], key: str, *, optional: bool = False) -> int | None:
    value = payload.get(key)
    if value is None and optional:
        return None
    if value is None:
        raise Invalid(N_("'%(key)s' is required."), key=key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**53:
        raise Invalid(N_("'%(key)s' must be a positive whole number."), key=key)
    return value


def check_count(payload: dict[str, Any], key: str, *, default: int, low: int, high: int) -> int:
    value = payload.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(
            N_("'%(key)s' must be a whole number from %(low)s to %(high)s."),
            key=key,
            low=low,
            high=high,
        )
    return value


@overload
def check_text(
    payload: dict[str, Any],
    key: str,
    *,
    max_length: int,
    optional: Literal[False] = False,
    allow_empty: bool = False,
    what: str | None = None,
) -> str: ...
@overload
def check_text(
    payload: dict[str, Any],
    key: str,
    *,
    max_length: int,
    optional: bool,
    allow_empty: bool = False,
    what: str | None = None,
) -> str | None: ...
def check_text(
    payload: dict[str, Any],
    key: str,
    *,
    max_length: int,
    optional: bool = False,
    allow_empty: bool = False,
    what: str | None = None,
) -> str | None:
    value = payload.get(key)
    label = Words(what) if what else f"'{key}'"
    if value is None:
        if optional:
            return None
        raise Invalid(N_("%(label)s is required."), label=Words(label))
    if not isinstance(value, str):
        raise Invalid(N_("%(label)s must be text."), label=Words(label))
    if not allow_empty and not value.strip():
        raise Invalid(N_("%(label)s cannot be empty."), label=Words(label))
    if len(value) > max_length:
        raise TooLarge(
            N_("%(label)s is too long: at most %(max_length)s characters."),
            label=Words(label),
            max_length=Count(max_length),
        )
    return value


def check_line(payload: dict[str, Any], key: str, *, max_length: int, what: str) -> str:
    """One line of text (a title): required, not blank, at most `max_length` characters, its
    runs of white space (line breaks included) made single spaces."""
    return " ".join(check_text(payload, key, max_length=max_length, what=what).split())


def check_choice(payload: dict[str, Any], key: str, choices: Iterable[str], *, what: str) -> str:
    """One of `choices` (which name it in the error)."""
    allowed = list(choices)
    value = payload.get(key)
    if value not in allowed:
        raise Invalid(
            N_("%(what)s must be one of: %(choices)s."),
            what=Words(what),
            choices=", ".join(allowed),
        )
    assert isinstance(value, str)
    return value


def check_changes(payload: Any, allowed: Iterable[str]) -> dict[str, Any]:
    """A change request: an object with at least one field, each of them one of `allowed`."""
    payload = check_object(payload)
    allowed = list(allowed)
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise Invalid(
            N_("Unknown field: %(unknown)s. Allowed: %(allowed)s."),
            unknown=", ".join(unknown),
            allowed=", ".join(allowed),
        )
    if not payload:
        raise Invalid(N_("Nothing to change."))
    return payload


def check_place(payload: dict[str, Any], item_id: int, siblings: list[int]) -> list[int]:
    """The new order of `siblings` (ids, in order) with `item_id` moved to `position` (1 is
    first), or joined at the end when it is not among them yet and no position is given."""
    order = [i for i in siblings if i != item_id]
    current = siblings.index(item_id) + 1 if item_id in siblings else len(order) + 1
    position = check_count(payload, "position", default=current, low=1, high=len(order) + 1)
    order.insert(position - 1, item_id)
    return order


def check_bool(payload: dict[str, Any], key: str, *, default: bool | None = None) -> bool:
    value = payload.get(key, default)
    if not isinstance(value, bool):
        raise Invalid(N_("'%(key)s' must be true or false."), key=key)
    return value


def check_name(name: object, what: str = N_("Name")) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid(N_("%(what)s cannot be empty."), what=Words(what))
    name = " ".join(name.split())  # no line breaks or tabs: names go into mail headers
    if len(name) > 100:
        raise TooLarge(N_("%(what)s is too long: at most 100 characters."), what=Words(what))
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise Invalid(N_("%(what)s cannot contain control characters."), what=Words(what))
    return name


def check_date(value: Any, what: str) -> date:
    try:
        if isinstance(value, str) and DATE.match(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise Invalid(N_('%(what)s must be a date like "2026-04-01".'), what=Words(what))


def check_instant(value: Any, what: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 date and time; without an offset it is read in the programme's zone."""
    try:
        if not isinstance(value, str) or "T" not in value.upper():
            raise ValueError
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(
            N_('%(what)s must be a date and time like "2026-04-01T09:00".'), what=Words(what)
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def check_moment(value: Any, what: str, zone: ZoneInfo) -> datetime:
    """A date (its first instant, in `zone`) or an ISO 8601 date and time."""
    if isinstance(value, str) and DATE.match(value.strip()):
        return local_instant(check_date(value.strip(), what), time(0), zone)
    if isinstance(value, str) and "T" in value.upper():
        return check_instant(value, what, zone)
    raise Invalid(
        N_('%(what)s must be a date like "2026-04-01" or a date and time.'), what=Words(what)
    )


def check_url(url: object) -> str:
    """A web address people may follow: http(s), or a path on this server."""
    if not isinstance(url, str) or not url.strip():
        raise Invalid(N_("A link needs an address, like https://meet.example.org/programme."))
    url = url.strip()
    if len(url) > MAX_URL:
        raise TooLarge(
            N_("A link address can have at most %(max_url)s characters."), max_url=MAX_URL
        )
    parts = urlsplit(url)
    internal = url.startswith("/") and not url.startswith("//")
    if any(ch.isspace() or ord(ch) < 32 for ch in url) or not (
        internal or (parts.scheme in ("https", "http") and parts.netloc)
    ):
        raise Invalid(
            N_("%(url)s is not a web address: use one starting with https://."), url=repr(url)
        )
    return url
