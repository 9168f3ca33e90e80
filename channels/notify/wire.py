"""How a notification reads, on the wire and in e-mails.  Only ever made for its recipient,
who may read the channel.  For a pair channel it says who and how many, never what: the
storage row carries no excerpt of a pair message (`records.Notification`), and the sentence
names "your mentoring channel", so even a browser notification on a lock screen shows no
words of the pair."""

from __future__ import annotations

from typing import Any

from channels.chat.directory import channel_title
from channels.notify.mentions import unlink_mentions
from channels.readers import ENGLISH, Reader
from channels.render import plain_text
from storage.records import PRIVATE_CHANNEL_KINDS, Notification

EXCERPT = 140


def excerpt(body: str | None, limit: int = EXCERPT) -> str | None:
    """The start of a message as one line of plain text, as a reader sees it: without its
    markup ('**Summer** [meeting](https://x.org)' -> 'Summer meeting'), a mention as @Name."""
    if not body:
        return None
    text = " ".join(plain_text(unlink_mentions(body)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _where(n: Notification, words: Reader) -> str:
    _ = words.gettext
    if n.channel_kind == "pair":
        return _("your mentoring channel")
    if n.channel_kind == "coordinator_line":
        if n.user_id == n.line_owner_id:
            return _("your line to the coordinators")
        return _("their line to the coordinators")
    if n.channel_kind and n.channel_name:
        return channel_title(n.channel_kind, n.channel_name, words)
    return "Mentorspace"


def notification_text(n: Notification, words: Reader = ENGLISH) -> str:
    """One sentence, in `words`' language (English on the wire)."""
    _, ngettext = words.gettext, words.ngettext
    said = {
        "who": n.actor_name or _("Someone"),
        "where": _where(n, words),
        "count": n.count,
        "title": n.resource_title or n.questionnaire_title or "",
    }
    if n.kind == "mention":
        return _("%(who)s mentioned you in %(where)s") % said
    if n.kind == "reply":
        return _("%(who)s replied in a thread in %(where)s") % said
    if n.kind == "line" and n.user_id != n.line_owner_id:
        return (
            ngettext(
                "%(who)s wrote a new message in %(where)s",
                "%(who)s wrote %(count)s new messages in %(where)s",
                n.count,
            )
            % said
        )
    if n.kind in ("pair_message", "line"):
        return (
            ngettext(
                "%(who)s sent you a new message in %(where)s",
                "%(who)s sent you %(count)s new messages in %(where)s",
                n.count,
            )
            % said
        )
    if n.kind == "task":
        return _("A new task was posted in %(where)s") % said
    if n.kind == "task_due":
        return _("A task in %(where)s is due") % said
    if n.kind == "announcement":
        return _("%(who)s posted an announcement") % said
    if n.kind == "resource":
        if not n.resource_title:
            return _("New in the library: a resource")
        return _("New in the library: %(title)s") % said
    if n.kind == "satisfaction":
        return _("The coordinators ask how your mentoring is going: two short questions")
    if n.kind == "questionnaire":
        return _("A questionnaire is waiting for your answers: %(title)s") % said
    return _("Something new in Mentorspace")


def notification_link(n: Notification) -> str:
    """The place: the channel at the message, the thread at the reply, or the resource in the
    library."""
    if n.resource_id is not None:
        return f"/resources#resource-{n.resource_id}"
    if n.satisfaction_id is not None:
        return f"/satisfaction/{n.satisfaction_id}"
    if n.questionnaire_id is not None:
        return f"/questionnaires/{n.questionnaire_id}"
    if n.channel_id is None:
        return "/"
    if n.thread_id is not None:
        anchor = f"#t-{n.message_id}" if n.message_id else ""
        return f"/channels/{n.channel_id}/threads/{n.thread_id}{anchor}"
    anchor = f"#m-{n.message_id}" if n.message_id else ""
    return f"/channels/{n.channel_id}{anchor}"


def notification_json(n: Notification, words: Reader = ENGLISH) -> dict[str, Any]:
    """`text` in the language of `words` (its recipient's)."""
    return {
        "id": n.id,
        "kind": n.kind,
        "text": notification_text(n, words),
        # Never for a pair channel or a coordinator line: storage gives no excerpt there.
        "excerpt": None if n.channel_kind in PRIVATE_CHANNEL_KINDS else excerpt(n.excerpt),
        "link": notification_link(n),
        "channel_id": n.channel_id,
        "message_id": n.message_id,
        "thread_id": n.thread_id,
        "resource_id": n.resource_id,
        "questionnaire_id": n.questionnaire_id,
        "actor": None if n.actor_id is None else {"id": n.actor_id, "name": n.actor_name},
        "count": n.count,
        "created_at": n.created_at,
        "updated_at": n.updated_at,
        "read": n.read_at is not None,
    }
