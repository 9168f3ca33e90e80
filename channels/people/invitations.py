"""Single-use links that let a person choose a password: the invitation a new user gets, and
the reset link behind "Forgot password" (and, in `email_changes`, the link that confirms a new
e-mail address).  Only a hash of each link's token is stored; a link works once, until it
expires, and a newer link of the same kind replaces it.  Every link opens `/password/<token>`
(a path the access log redacts); the page shows what that link is for.

Asking for a reset answers the same whether or not the address has an account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from channels.input import check_object, check_text
from channels.languages import N_
from channels.people.accounts import (
    FAILURE_WINDOW,
    SESSION_IDLE,
    LoggedIn,
    check_email,
    do_open_session,
    token_hash,
)
from channels.people.mail import Mail, MailSettings, invitation_mail, reset_mail
from channels.people.passwords import check_password, passwords_for
from channels.programme.audit import Actor, check_coordinator, record_action
from channels.words import Words
from storage import Reads, Store, Tx
from storage.records import User

RESET_LIMITS = {"account": 3, "address": 20}  # requests per FAILURE_WINDOW
MAX_TOKEN = 100
PASSWORD_LINKS = ("invitation", "reset")
ALL_LINKS = (*PASSWORD_LINKS, "email")
NOT_A_LINK = N_("This link is not valid. Please check you copied all of it.")


@dataclass(frozen=True)
class LinkSettings:
    mail: MailSettings
    invitation_days: int = 7
    reset_hours: int = 2
    email_hours: int = 24


def link_path(token: str) -> str:
    return f"/password/{token}"


@dataclass(frozen=True)
class PreparedInvitation:
    token: str
    mail: Mail


def prepare_invitation(
    links: LinkSettings, *, name: str, email: str, now: datetime, language: str = ""
) -> PreparedInvitation:
    """A fresh link and its mail, built outside any transaction (pure, and cheap to run in a
    thread for a whole import); in the person's `language` ('' for the programme's)."""
    token = secrets.token_urlsafe(32)
    mail = invitation_mail(
        links.mail,
        name=name,
        email=email,
        now=now,
        link=links.mail.link(link_path(token)),
        days=links.invitation_days,
        language=language,
    )
    return PreparedInvitation(token, mail)


async def do_store_invitations(
    tx: Tx, links: LinkSettings, invitations: list[tuple[int, PreparedInvitation]], now: datetime
) -> None:
    """Inside a write: each (user id, invitation) link stored and its mail in the outbox."""
    for user_id, invitation in invitations:
        await tx.insert_account_token(
            token_hash=token_hash(invitation.token),
            user_id=user_id,
            purpose="invitation",
            now=iso(now),
            expires_at=iso(now + timedelta(days=links.invitation_days)),
        )
    await tx.enqueue_mail([inv.mail.as_row() for _, inv in invitations], iso(now))


async def do_send_invitation(tx: Tx, links: LinkSettings, user: User, now: datetime) -> None:
    """Inside a write: a new invitation link for `user` and its mail in the outbox."""
    invitation = prepare_invitation(
        links, name=user.name, email=user.email, now=now, language=user.language
    )
    await do_store_invitations(tx, links, [(user.id, invitation)], now)


async def resend_invitation(
    store: Store, user: User, target_id: int, *, links: LinkSettings, clock: Clock = SYSTEM_CLOCK
) -> User:
    actor = check_coordinator(user)
    target = await store.load_user(target_id)
    if target is None:
        raise NotFound(N_("That person does not exist."))
    if target.disabled:
        raise Invalid(N_("%(name)s's account is disabled. Enable it first."), name=target.name)
    if target.password_hash is not None:
        raise Conflict(
            N_("%(name)s has already chosen a password. They can use “Forgot password”."),
            name=target.name,
        )
    now = clock.now()

    async def invite(tx: Tx) -> None:
        await do_send_invitation(tx, links, target, now)
        await _record(
            tx, actor, "user.invitation_sent", target, N_("Sent a new invitation to %(who)s."), now
        )

    await store.write(invite)
    return target


async def _record(
    tx: Tx, actor: Actor, action: str, target: User, what: str, now: datetime
) -> None:
    await record_action(
        tx,
        actor,
        action,
        target_type="user",
        target_id=target.id,
        summary=Words(what, who=f"{target.name} <{target.email}>"),
        now=iso(now),
    )


async def request_password_reset(
    store: Store, payload: Any, *, address: str, links: LinkSettings, clock: Clock = SYSTEM_CLOCK
) -> None:
    """Mail a reset link if the address belongs to an enabled account.  Says nothing either
    way: the caller answers the same sentence to everyone."""
    email = check_email(check_object(payload).get("email"))
    now = clock.now()
    since = iso(now - FAILURE_WINDOW)
    keys = {"account": f"reset:{email}", "address": f"reset-address:{address}"}
    for kind, key in keys.items():
        if await store.count_login_failures([key], since) >= RESET_LIMITS[kind]:
            raise RateLimited(
                N_("Too many requests. Please wait 15 minutes and try again."),
                retry_after=int(
                    FAILURE_WINDOW.total_seconds()
                ),  # at the latest, the window is clear
            )
    user = await store.load_user_by_email(email)

    async def record_request(tx: Tx) -> None:
        # Counted for every request, so both answers cost the same write.
        await tx.add_login_failure(list(keys.values()), iso(now), forget_before=since)
        if user is None or user.disabled:
            return
        token = secrets.token_urlsafe(32)
        await tx.insert_account_token(
            token_hash=token_hash(token),
            user_id=user.id,
            purpose="reset",
            now=iso(now),
            expires_at=iso(now + timedelta(hours=links.reset_hours)),
        )
        mail = reset_mail(
            links.mail,
            name=user.name,
            email=user.email,
            now=now,
            link=links.mail.link(link_path(token)),
            hours=links.reset_hours,
            language=user.language,
        )
        await tx.enqueue_mail([mail.as_row()], iso(now))

    await store.write(record_request)


@dataclass(frozen=True)
class LinkInfo:
    purpose: str  # 'invitation', 'reset' or 'email'
    user: User
    new_email: str | None = None  # for 'email': the address it confirms


def check_token(token: object) -> str:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        raise NotFound(NOT_A_LINK)
    return token


async def refuse_link(store: Reads, token: str, now: str, purposes: tuple[str, ...]) -> NoReturn:
    """Explain why a link does not work here (it is known to be unusable)."""
    found = await store.load_account_token(token_hash(token))
    if found is None or found.purpose not in purposes:
        raise NotFound(NOT_A_LINK)
    if found.used_at is not None:
        raise Invalid(N_("This link has already been used. Ask for a new one if you need it."))
    if found.expires_at <= now:
        raise Invalid(N_("This link has expired. Ask for a new one."))
    raise NotFound(NOT_A_LINK)


async def check_link(
    store: Store,
    token: object,
    *,
    purposes: tuple[str, ...] = ALL_LINKS,
    clock: Clock = SYSTEM_CLOCK,
) -> LinkInfo:
    """What a live link is for, and whose it is; raises if it cannot be used for `purposes`."""
    token = check_token(token)
    now = iso(clock.now())
    found = await store.load_account_token(token_hash(token))
    if (
        found is None
        or found.used_at is not None
        or found.expires_at <= now
        or found.purpose not in purposes
    ):
        await refuse_link(store, token, now, purposes)
    assert found is not None
    user = await store.load_user(found.user_id)
    if user is None or user.disabled:
        raise Forbidden(N_("This account has been disabled. Please contact your coordinator."))
    return LinkInfo(found.purpose, user, found.new_email)


async def set_password_with_link(
    store: Store, payload: Any, *, idle: timedelta = SESSION_IDLE, clock: Clock = SYSTEM_CLOCK
) -> LoggedIn:
    """`payload`: {token, password}.  Spends the link, sets the password, ends every other
    session, and logs the person in."""
    payload = check_object(payload)
    token = check_token(payload.get("token"))
    password = check_password(check_text(payload, "password", max_length=2048, what=N_("Password")))
    await check_link(store, token, purposes=PASSWORD_LINKS, clock=clock)
    new_hash = await passwords_for(store).hash(password)
    now = clock.now()

    async def spend(tx: Tx) -> tuple[User, str]:
        spent = await tx.use_account_token(token_hash(token), iso(now), PASSWORD_LINKS)
        if spent is None:  # used by a request that raced this one
            await refuse_link(tx, token, iso(now), PASSWORD_LINKS)
        user = await tx.load_user(spent.user_id)
        if user is None or user.disabled:
            raise Forbidden(N_("This account has been disabled. Please contact your coordinator."))
        await tx.set_password_hash(user.id, new_hash)
        await tx.retire_account_tokens(user.id, iso(now))
        await tx.delete_user_sessions(user.id)
        return user, await do_open_session(tx, user.id, now, idle)

    user, session_token = await store.write(spend)
    return LoggedIn(session_token, user)
