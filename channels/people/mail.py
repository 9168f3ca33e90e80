"""The mails Mentorspace sends, built with the standard library's EmailMessage (policy
`default`): a plain-text part and an HTML part, every header value single-line.

Building a mail is pure: it returns the RFC 5322 text that goes into the outbox, so a retry
sends exactly the same bytes (same Message-ID) as the first attempt.

Each mail is written in its recipient's language (`language`: their `users.language`, '' for
the programme's), with the catalogues of channels/words.py; the words are marked where they are
written, so `make translations` finds them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from channels.dates import Calendar
from channels.readers import Reader
from channels.render import plain_text


@dataclass(frozen=True)
class MailSettings:
    sender: str  # "Mentorspace <no-reply@example.org>"
    public_url: str  # where links in mails point: "https://mentoring.example.org"
    programme: str = "Mentorspace"
    # the programme's locale and zone: the language of whoever has not chosen one
    calendar: Calendar = field(default_factory=lambda: Calendar.of("en_GB"))

    def link(self, path: str) -> str:
        return self.public_url.rstrip("/") + path

    def reader(self, language: str) -> Reader:
        """Whoever chose `language` ('' for the programme's)."""
        return Reader.of(language, self.calendar)


@dataclass(frozen=True)
class Mail:
    recipient: str
    subject: str
    message: str  # the whole mail, headers and both parts

    def as_row(self) -> tuple[str, str, str]:
        return (self.recipient, self.subject, self.message)


def _one_line(text: str) -> str:
    """Line breaks and tabs become spaces: nothing a user typed can start a new header."""
    return " ".join(text.split())


def build_mail(
    settings: MailSettings,
    *,
    to_name: str,
    to_address: str,
    subject: str,
    text: str,
    html_body: str,
    now: datetime,
    headers: dict[str, str] | None = None,
    html_document: str | None = None,
) -> Mail:
    """`headers`: more single-line headers (List-Unsubscribe); `html_document`: a whole HTML
    page of its own instead of `html_body` in the plain frame."""
    sender_name, sender_address = parseaddr(settings.sender)
    message = EmailMessage(policy=policy.default)
    message["From"] = Address(
        _one_line(sender_name) or settings.programme, addr_spec=sender_address
    )
    message["To"] = Address(_one_line(to_name), addr_spec=to_address)
    message["Subject"] = _one_line(subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        message[name] = _one_line(value)
    message.set_content(text)
    message.add_alternative(
        html_document
        or '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">'
        f"{html_body}</body></html>",
        subtype="html",
    )
    return Mail(to_address, message["Subject"], message.as_string())


def _button(link: str, label: str, words: Reader) -> str:
    href = html.escape(link, quote=True)
    copy = words.gettext("Or copy this address into your browser:")
    return (
        f'<p><a href="{href}" style="display:inline-block;padding:10px 18px;background:#2a5d84;'
        f'color:#fff;border-radius:6px;text-decoration:none">{html.escape(label)}</a></p>'
        # a link is one long word: it breaks anywhere rather than widen a phone's screen
        f'<p style="color:#555">{html.escape(copy)}<br>'
        f'<span style="word-break:break-all">{html.escape(link)}</span></p>'
    )


def greeting(words: Reader, name: str) -> str:
    return words.gettext("Hello %(name)s,") % {"name": _one_line(name)}


def _link_mail(
    settings: MailSettings,
    words: Reader,
    *,
    name: str,
    email: str,
    now: datetime,
    subject: str,
    intro: str,
    ask: str,
    link: str,
    button: str,
    after: str,
) -> Mail:
    """A mail whose point is one link: a greeting, why it came, the link (a button in HTML),
    and what to know about it.  Every account link (invitation, reset, new address) is one."""
    hello = greeting(words, name)
    lines = [hello, "", intro, ask, "", link, "", after]
    body = (
        f"<p>{html.escape(hello)}</p><p>{html.escape(intro)}</p>"
        f"{_button(link, button, words)}<p>{html.escape(after)}</p>"
    )
    return build_mail(
        settings,
        to_name=name,
        to_address=email,
        now=now,
        subject=subject,
        text="\n".join(lines),
        html_body=body,
    )


def invitation_mail(
    settings: MailSettings,
    *,
    name: str,
    email: str,
    link: str,
    days: int,
    now: datetime,
    language: str = "",
) -> Mail:
    words = settings.reader(language)
    _, ngettext = words.gettext, words.ngettext
    programme = {"programme": settings.programme}
    return _link_mail(
        settings,
        words,
        name=name,
        email=email,
        now=now,
        subject=_("Your invitation to %(programme)s") % programme,
        intro=_(
            "You have been invited to %(programme)s, the online home of your mentoring programme."
        )
        % programme,
        ask=_("To start, choose your password here:"),
        link=link,
        button=_("Choose my password"),
        after=ngettext(
            "This link works once and for %(count)s day. If it has expired, ask your programme"
            " coordinator to send a new one.",
            "This link works once and for %(count)s days. If it has expired, ask your programme"
            " coordinator to send a new one.",
            days,
        )
        % {"count": days},
    )


def reset_mail(
    settings: MailSettings,
    *,
    name: str,
    email: str,
    link: str,
    hours: int,
    now: datetime,
    language: str = "",
) -> Mail:
    words = settings.reader(language)
    _, ngettext = words.gettext, words.ngettext
    return _link_mail(
        settings,
        words,
        name=name,
        email=email,
        now=now,
        subject=_("Choose a new password for %(programme)s") % {"programme": settings.programme},
        intro=_("Someone (we hope you) asked to choose a new password for your account."),
        ask=_("Choose it here:"),
        link=link,
        button=_("Choose a new password"),
        after=ngettext(
            "This link works once and for %(count)s hour. If you did not ask, you can ignore this"
            " mail: your password stays as it is.",
            "This link works once and for %(count)s hours. If you did not ask, you can ignore this"
            " mail: your password stays as it is.",
            hours,
        )
        % {"count": hours},
    )


def email_change_mail(
    settings: MailSettings,
    *,
    name: str,
    email: str,
    link: str,
    hours: int,
    now: datetime,
    language: str = "",
) -> Mail:
    """To the new address: the link that makes it the account's address."""
    words = settings.reader(language)
    _, ngettext = words.gettext, words.ngettext
    programme = {"programme": settings.programme}
    return _link_mail(
        settings,
        words,
        name=name,
        email=email,
        now=now,
        subject=_("Confirm your new e-mail address for %(programme)s") % programme,
        intro=_("You asked to use this address for your %(programme)s account.") % programme,
        ask=_("Confirm it here:"),
        link=link,
        button=_("Confirm my new address"),
        after=ngettext(
            "This link works once and for %(count)s hour. Until you open it, your account keeps"
            " its old address. If you did not ask, you can ignore this mail.",
            "This link works once and for %(count)s hours. Until you open it, your account keeps"
            " its old address. If you did not ask, you can ignore this mail.",
            hours,
        )
        % {"count": hours},
    )


def email_changed_mail(
    settings: MailSettings,
    *,
    name: str,
    old_email: str,
    new_email: str,
    now: datetime,
    language: str = "",
) -> Mail:
    """To the old address, once the change is made: a notice, with nothing to click."""
    words = settings.reader(language)
    _ = words.gettext
    hello = greeting(words, name)
    changed = _("The e-mail address of your %(programme)s account is now %(email)s.") % {
        "programme": settings.programme,
        "email": new_email,
    }
    warning = _(
        "You were logged out everywhere else. If you did not make this change, contact your"
        " programme coordinator at once."
    )
    lines = [hello, "", changed, warning]
    body = f"<p>{html.escape(hello)}</p><p>{html.escape(changed)}</p><p>{html.escape(warning)}</p>"
    return build_mail(
        settings,
        to_name=name,
        to_address=old_email,
        now=now,
        subject=_("Your e-mail address for %(programme)s was changed")
        % {"programme": settings.programme},
        text="\n".join(lines),
        html_body=body,
    )


def announcement_mail(
    settings: MailSettings,
    *,
    name: str,
    email: str,
    author: str,
    body: str,
    body_html: str,
    link: str,
    now: datetime,
    language: str = "",
) -> Mail:
    """`body_html` must be the sanitised rendering stored with the message."""
    _ = settings.reader(language).gettext
    read_and_reply = _("Read and reply in %(programme)s") % {"programme": settings.programme}
    text = f"{body}\n\n— {author}\n\n{read_and_reply}: {link}\n"
    page = (
        f"{body_html}<p>— {html.escape(author)}</p>"
        f'<p><a href="{html.escape(link, quote=True)}">{html.escape(read_and_reply)}</a></p>'
    )
    first_line = plain_text(body).partition("\n")[0]
    title = f"{first_line[:60]}{'…' if len(first_line) > 60 else ''}"
    return build_mail(
        settings,
        to_name=name,
        to_address=email,
        now=now,
        subject=_("Announcement: %(title)s") % {"title": title},
        text=text,
        html_body=page,
    )
