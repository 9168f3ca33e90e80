"""The programme's own messages in a channel (kind 'system': a pair's welcome, its end and
reopening, a task's reminder), read in each reader's language.

They are stored as they were always written, in English (body and its HTML), so history,
sync, search and every client stay as they are.  Each is written from one template here, so
a stored body tells which notice it is and with what names: `notice_of` reads it back, and
the reader sees the template's translation, rendered as the original was (markdown, then
sanitised).  A room's event is the same for everyone in it, so `notice_json` carries the
notice in every language the interface has, and the browser shows its reader's.  A system
message no template matches (older wording) reads as it was stored.
"""

from __future__ import annotations

import re
from functools import lru_cache

from channels.languages import LANGUAGES, N_
from channels.readers import catalogue
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


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(_PLACEHOLDER.sub(r"(?P<\1>.+?)", re.escape(template)), re.S)


_PATTERNS = {key: _pattern(template) for key, template in NOTICES.items()}


def english(key: str, **params: str) -> str:
    """A notice's body as it is stored."""
    return NOTICES[key] % params


def notice_of(message: Message) -> tuple[str, dict[str, str]] | None:
    """Which notice a system message is, and its names; None for any other message."""
    if message.kind != "system" or message.author_id is not None:
        return None
    for key, pattern in _PATTERNS.items():
        found = pattern.fullmatch(message.body)
        if found:
            return key, found.groupdict()
    return None


@lru_cache(maxsize=4096)
def _html(key: str, params: tuple[tuple[str, str], ...], language: str) -> str:
    return render_markdown(catalogue(language).gettext(NOTICES[key]) % dict(params))


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
