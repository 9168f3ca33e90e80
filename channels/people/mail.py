"""The mails Mentorspace sends, built with the standard library's EmailMessage (policy
`default`): a plain-text part and an HTML part, every header value single-line.

Building a mail is pure: it returns the RFC 5322 text that goes into the outbox, so a retry
sends exactly the same bytes (same Message-ID) as the first attempt.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from channels.render import plain_text


@dataclass(frozen=True)
class MailSettings:
    sender: str  # "Mentorspace <no-reply@example.org>"
    public_url: str  # where links in mails point: "https://mentoring.example.org"
    programme: str = "Mentorspace"

    def link(self, path: str) -> str:
        return self.public_url.rstrip("/") + path


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


def _button(link: str, label: str) -> str:
    href = html.escape(link, quote=True)
    return (
        f'<p><a href="{href}" style="display:inline-block;padding:10px 18px;background:#2a5d84;'
        f'color:#fff;border-radius:6px;text-decoration:none">{html.escape(label)}</a></p>'
        f'<p style="color:#555">Or copy this address into your browser: {html.escape(link)}</p>'
    )


def _link_mail(
    settings: MailSettings,
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
    greeting = f"Hello {_one_line(name)},"
    lines = [greeting, "", intro, ask, "", link, "", after]
    body = (
        f"<p>{html.escape(greeting)}</p><p>{html.escape(intro)}</p>"
        f"{_button(link, button)}<p>{html.escape(after)}</p>"
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
    settings: MailSettings, *, name: str, email: str, link: str, days: int, now: datetime
) -> Mail:
    return _link_mail(
        settings,
        name=name,
        email=email,
        now=now,
        subject=f"Your invitation to {settings.programme}",
        intro=f"You have been invited to {settings.programme}, the online home of your"
        " mentoring programme.",
        ask="To start, choose your password here:",
        link=link,
        button="Choose my password",
        after=f"This link works once and for {days} days. If it has expired, ask your"
        " programme coordinator to send a new one.",
    )


def reset_mail(
    settings: MailSettings, *, name: str, email: str, link: str, hours: int, now: datetime
) -> Mail:
    return _link_mail(
        settings,
        name=name,
        email=email,
        now=now,
        subject=f"Choose a new password for {settings.programme}",
        intro="Someone (we hope you) asked to choose a new password for your account.",
        ask="Choose it here:",
        link=link,
        button="Choose a new password",
        after=f"This link works once and for {hours} hours. If you did not ask, you can ignore"
        " this mail: your password stays as it is.",
    )


def email_change_mail(
    settings: MailSettings, *, name: str, email: str, link: str, hours: int, now: datetime
) -> Mail:
    """To the new address: the link that makes it the account's address."""
    return _link_mail(
        settings,
        name=name,
        email=email,
        now=now,
        subject=f"Confirm your new e-mail address for {settings.programme}",
        intro=f"You asked to use this address for your {settings.programme} account.",
        ask="Confirm it here:",
        link=link,
        button="Confirm my new address",
        after=f"This link works once and for {hours} hours. Until you open it, your account"
        " keeps its old address. If you did not ask, you can ignore this mail.",
    )


def email_changed_mail(
    settings: MailSettings, *, name: str, old_email: str, new_email: str, now: datetime
) -> Mail:
    """To the old address, once the change is made: a notice, with nothing to click."""
    greeting = f"Hello {_one_line(name)},"
    changed = f"The e-mail address of your {settings.programme} account is now {new_email}."
    warning = (
        "You were logged out everywhere else. If you did not make this change, contact your"
        " programme coordinator at once."
    )
    lines = [greeting, "", changed, warning]
    body = (
        f"<p>{html.escape(greeting)}</p><p>{html.escape(changed)}</p><p>{html.escape(warning)}</p>"
    )
    return build_mail(
        settings,
        to_name=name,
        to_address=old_email,
        now=now,
        subject=f"Your e-mail address for {settings.programme} was changed",
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
) -> Mail:
    """`body_html` must be the sanitised rendering stored with the message."""
    text = f"{body}\n\n— {author}\n\nRead and reply in {settings.programme}: {link}\n"
    page = (
        f"{body_html}<p>— {html.escape(author)}</p>"
        f'<p><a href="{html.escape(link, quote=True)}">Read and reply in'
        f" {html.escape(settings.programme)}</a></p>"
    )
    first_line = plain_text(body).partition("\n")[0]
    subject = f"Announcement: {first_line[:60]}{'…' if len(first_line) > 60 else ''}"
    return build_mail(
        settings,
        to_name=name,
        to_address=email,
        now=now,
        subject=subject,
        text=text,
        html_body=page,
    )
