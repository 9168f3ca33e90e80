"""The programme's own messages in a channel (kind 'system': a pair's welcome, its end and
reopening, a task's reminder), read in each reader's language.

Each is written from one template here (`written`): its body and HTML in English, as they
always were, so history, sync and every client stay as they are, and beside them the notice
itself, its key and parameters (`messages.notice`, JSON).  The reader sees the template's
translation with those parameters, rendered as the original was (markdown, then sanitised).  A
date is stored as the moment it is (`due_at`) with the programme's locale and zone, and each
reader reads it as every moment in words is read, a `Time` (channels/readers.py): in their
language's calendar of that zone, in the one format a date and time has (channels/dates.py).
A room's event is the same for everyone in it, so `notice_json` carries the notice in every
language the interface has, and the browser shows its reader's.

System messages written before notices were stored have only their English body: `notice_of`
tells which notice one is by matching it against the templates, and one no template matches
(older wording) reads as it was stored.

Search does not index system messages (storage/migrations/0011_search_by_channel.sql): a
notice holds the programme's words, the same in every pair, never what anyone wrote, so no
reader finds one, in any language, and none can be found in a language its reader does not see.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from channels.languages import LANGUAGES, N_
from channels.readers import Time, catalogue
from channels.render import render_markdown
from storage.records import Message

NOTICES = {
    "pair.welcome": N_(
        "Welcome, %(mentor)s and %(mentee)s! This is your private pair channel: only the two of"
        " you can read it."
    ),
    "pair.ended": N_(
        "This pair has ended. The conversation stays here for the two of you to read, and stays"
        " private, but no new messages can be posted."
    ),
    "pair.reopened": N_("This pair is open again: you can write to each other here as before."),
    "task.reminder": N_(
        "Reminder: this task was due on %(day)s. When you have done it, either of you can mark"
        " it done."
    ),
}
_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")  # in a re.escape()d template
# A notice's moment, its `%(day)s`, as migration 0021 stores it: the moment and the programme's
# calendar; it is read as a `Time` (channels/readers.py), as every moment in words is.
_DATED = ("due_at", "locale", "zone")


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(_PLACEHOLDER.sub(r"(?P<\1>.+?)", re.escape(template)), re.S)


_PATTERNS = {key: _pattern(template) for key, template in NOTICES.items()}


@dataclass(frozen=True)
class Written:
    """A notice as it is stored: its English body and HTML, and the notice (JSON)."""

    body: str
    html: str
    notice: str


def written(key: str, *, day: Time | None = None, **names: str) -> Written:
    """The notice `key` with its names (and its moment, `day`), as a system message stores it."""
    params = dict(names)
    if day is not None:
        stored = day.stored()
        params |= {"due_at": stored["time"], "locale": stored["locale"], "zone": stored["zone"]}
    body = _said(key, tuple(sorted(params.items())), "en")
    return Written(body, render_markdown(body), json.dumps({"key": key, "params": params}))


def _stored(message: Message) -> tuple[str, dict[str, str]] | None:
    if not message.notice:
        return None
    try:
        stored = json.loads(message.notice)
        key, params = stored["key"], stored["params"]
    except (ValueError, KeyError, TypeError):
        return None
    if key not in NOTICES or not isinstance(params, dict):
        return None
    return key, {str(name): str(value) for name, value in params.items()}


def notice_of(message: Message) -> tuple[str, dict[str, str]] | None:
    """Which notice a system message is, and its parameters; None for any other message."""
    if message.kind != "system" or message.author_id is not None:
        return None
    stored = _stored(message)
    if stored is not None:
        return stored
    for key, pattern in _PATTERNS.items():  # written before notices were stored
        found = pattern.fullmatch(message.body)
        if found:
            return key, found.groupdict()
    return None


def _values(params: dict[str, str], language: str) -> dict[str, str]:
    """The parameters a template names, a stored date read in the reader's calendar."""
    if not all(name in params for name in _DATED):
        return params
    stored = {"time": params["due_at"], "locale": params["locale"], "zone": params["zone"]}
    try:
        day = Time.from_stored(stored).said_in(catalogue(language).gettext, language)
    except ValueError:  # not a moment this server can read: as it was stored
        day = params["due_at"]
    rest = {name: value for name, value in params.items() if name not in _DATED}
    return {**rest, "day": day}


@lru_cache(maxsize=4096)
def _said(key: str, params: tuple[tuple[str, str], ...], language: str) -> str:
    return catalogue(language).gettext(NOTICES[key]) % _values(dict(params), language)


@lru_cache(maxsize=4096)
def _html(key: str, params: tuple[tuple[str, str], ...], language: str) -> str:
    return render_markdown(_said(key, params, language))


def notice_html(message: Message, language: str) -> str:
    """The message's HTML for a reader of `language`: the notice translated, or as stored."""
    notice = notice_of(message)
    if notice is None or language not in LANGUAGES:
        return message.html
    key, params = notice
    return _html(key, tuple(sorted(params.items())), language)


def notice_json(message: Message) -> dict[str, object] | None:
    """{key, html: {language: html}} for the wire, in every language; None if no notice."""
    notice = notice_of(message)
    if notice is None:
        return None
    return {
        "key": notice[0],
        "html": {language: notice_html(message, language) for language in LANGUAGES},
    }
