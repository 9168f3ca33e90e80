"""A person changes their own e-mail address: with their current password, through a
single-use link sent to the new address.  Nothing changes until the link is opened; then the
old address gets a notice, every other session of the account ends, and every other link
(sent to the old address) stops working.

Coordinators cannot do this for anyone who has activated their account (see `users`): the
address is what a password reset trusts, so whoever can change it can take over the account
and read its pair channel.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import storage
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Forbidden, Invalid, RateLimited
from channels.input import check_object
from channels.languages import N_
from channels.people.accounts import FAILURE_WINDOW, check_email, token_hash
from channels.people.invitations import LinkSettings, check_token, link_path, refuse_link
from channels.people.mail import email_change_mail, email_changed_mail
from channels.people.passwords import passwords_for
from channels.policy import Actor
from channels.programme.audit import record_action
from channels.words import Words
from storage import Store, Tx
from storage.records import User

LINK = ("email",)
SENT = "We have sent a link to {email}. Open it to confirm; until then your address stays as it is."
REQUEST_LIMIT = 5  # requests per account per FAILURE_WINDOW: password guesses, and mails sent


async def request_email_change(
    store: Store, user: User, payload: Any, *, links: LinkSettings, clock: Clock = SYSTEM_CLOCK
) -> str:
    """`payload`: {email, current}.  Mails a confirmation link to the new address and returns
    it.  Answers the same whether or not another account has that address (the link then
    fails when opened), so this cannot be used to find out who has an account."""
    payload = check_object(payload)
    email = check_email(payload.get("email"))
    current = payload.get("current")
    if email == user.email:
        raise Invalid(N_("That is already your e-mail address."))
    now = clock.now()
    key = f"email-change:{user.id}"
    since = iso(now - FAILURE_WINDOW)

    async def reserve(tx: Tx) -> None:
        # Counted before the password is checked, in one write: parallel guesses cannot race it.
        if await tx.count_login_failures([key], since) >= REQUEST_LIMIT:
            raise RateLimited(
                N_("Too many requests. Please wait 15 minutes and try again."),
                retry_after=int(
                    FAILURE_WINDOW.total_seconds()
                ),  # at the latest, the window is clear
            )
        await tx.add_login_failure([key], iso(now), forget_before=since)

    await store.write(reserve)
    if not isinstance(current, str) or not await passwords_for(store).verify(
        user.password_hash, current
    ):
        raise Invalid(N_("Your current password is not right."))
    token = secrets.token_urlsafe(32)
    mail = email_change_mail(
        links.mail,
        name=user.name,
        email=email,
        now=now,
        link=links.mail.link(link_path(token)),
        hours=links.email_hours,
        language=user.language,
    )

    async def send(tx: Tx) -> None:
        await tx.insert_account_token(
            token_hash=token_hash(token),
            user_id=user.id,
            purpose="email",
            now=iso(now),
            expires_at=iso(now + timedelta(hours=links.email_hours)),
            new_email=email,
        )
        await tx.enqueue_mail([mail.as_row()], iso(now))

    await store.write(send)
    return email


@dataclass(frozen=True)
class EmailChanged:
    before: User
    after: User


async def confirm_email_change(
    store: Store,
    payload: Any,
    *,
    keep_session: str | None,
    links: LinkSettings,
    clock: Clock = SYSTEM_CLOCK,
) -> EmailChanged:
    """`payload`: {token}.  Spends the link and makes its address the account's.  Every session
    of the account ends except `keep_session` (the cookie of the browser confirming, if it is
    logged in as this person); the caller hangs up their sockets after the commit."""
    token = check_token(check_object(payload).get("token"))
    now = clock.now()

    async def confirm(tx: Tx) -> EmailChanged:
        spent = await tx.use_account_token(token_hash(token), iso(now), LINK)
        if spent is None:
            await refuse_link(tx, token, iso(now), LINK)
        before = await tx.load_user(spent.user_id)
        if before is None or before.disabled:
            raise Forbidden(N_("This account has been disabled. Please contact your coordinator."))
        new_email = spent.new_email
        assert new_email is not None  # every e-mail change link carries its address
        taken = await tx.load_user_by_email(new_email)
        if taken is not None and taken.id != before.id:
            raise Conflict(
                N_("There is already an account for %(new_email)s."), new_email=new_email
            )
        await tx.set_user_email(before.id, new_email)
        await tx.retire_account_tokens(before.id, iso(now))  # links sent to the old address
        keep = token_hash(keep_session) if keep_session else None
        await tx.delete_user_sessions(before.id, keep=keep)
        notice = email_changed_mail(
            links.mail,
            name=before.name,
            old_email=before.email,
            new_email=new_email,
            now=now,
            language=before.language,
        )
        await tx.enqueue_mail([notice.as_row()], iso(now))
        await record_action(
            tx,
            Actor.of(before),
            "user.email_changed",
            target_type="user",
            target_id=before.id,
            now=iso(now),
            summary=Words(
                N_("%(name)s changed their e-mail address from %(old)s to %(new)s."),
                name=before.name,
                old=before.email,
                new=new_email,
            ),
        )
        return EmailChanged(before, replace(before, email=new_email))

    try:
        return await store.write(confirm)
    except storage.IntegrityError:  # another account took the address in the same moment
        raise Conflict(N_("There is already an account for that address.")) from None
