"""Accounts, passwords, sessions and the brake on guessing passwords."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import storage
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Invalid, RateLimited, TooLarge, Unauthenticated
from channels.input import check_name
from channels.languages import N_, check_language
from channels.notify.mentions import rerender_mentions_of
from channels.people.passwords import (
    MAX_PASSWORD,
    check_password,
    check_password_size,
    passwords_for,
)
from channels.policy import ROLES
from channels.research.usage import count_use
from channels.words import Count, Words
from storage import Store, Tx
from storage.records import Message, User

SESSION_LIFETIME = timedelta(days=30)  # however much a session is used
SESSION_IDLE = timedelta(hours=8)  # without use (MENTORSPACE_SESSION_IDLE_HOURS)
# A session's idle deadline moves on when it is used, at most once per SESSION_TOUCH: a write a
# minute, not a write a request.
SESSION_TOUCH = timedelta(minutes=1)
# Login attempts are counted over a sliding window, so a lock lifts by itself.  Counting per
# (account, address) means an attacker elsewhere cannot lock a real user out of their account;
# counting per address slows one address trying many accounts.  An attempt is counted before
# its password is checked, so parallel guesses cannot overtake the count.
FAILURE_WINDOW = timedelta(minutes=15)
FAILURE_LIMITS = {"account_address": 5, "address": 20}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_email(email: object) -> str:
    if not isinstance(email, str) or len(email) > 254 or not _EMAIL.match(email.strip()):
        raise Invalid(N_("Please give a valid e-mail address, like name@example.org."))
    return email.strip().lower()


def check_role(role: object) -> str:
    if not isinstance(role, str) or role not in ROLES:
        raise Invalid(N_("Role must be one of: %(roles)s."), roles=", ".join(ROLES))
    return role


async def create_user(
    store: Store,
    *,
    email: object,
    name: object,
    role: object,
    password: object = None,
    expertise: str = "",
    bio: str = "",
    clock: Clock = SYSTEM_CLOCK,
) -> User:
    email = check_email(email)
    name = check_name(name)
    role = check_role(role)
    password_hash = (
        None if password is None else await passwords_for(store).hash(check_password(password))
    )
    try:
        return await store.write(
            lambda tx: tx.insert_user(
                email=email,
                name=name,
                role=role,
                password_hash=password_hash,
                expertise=expertise,
                bio=bio,
                now=iso(clock.now()),
            )
        )
    except storage.IntegrityError:
        raise Conflict(N_("There is already an account for %(email)s."), email=email) from None


@dataclass(frozen=True)
class LoggedIn:
    token: str  # goes into the cookie; only its hash is stored
    user: User
    replaced_user_id: int | None = None  # whose session the login's request carried, now ended


async def do_open_session(tx: Tx, user_id: int, now: datetime, idle: timedelta) -> str:
    """Inside a write: a new session for `user_id` (and expired ones purged); its token."""
    token = secrets.token_urlsafe(32)
    await tx.delete_expired_sessions(iso(now))
    await tx.insert_session(
        token_hash=token_hash(token),
        user_id=user_id,
        now=iso(now),
        expires_at=iso(now + SESSION_LIFETIME),
        idle_expires_at=iso(now + idle),
    )
    return token


def _attempt_keys(email: str, address: str) -> dict[str, str]:
    return {
        "account_address": f"account:{email} address:{address}",
        "address": f"address:{address}",
    }


async def _reserve_attempt(store: Store, keys: dict[str, str], now: datetime) -> None:
    """Count this attempt against every key in one write, before any password is checked; or,
    if a key has had its limit in the window, raise RateLimited with the seconds until the
    attempt that will free it leaves the window."""
    since = iso(now - FAILURE_WINDOW)

    async def reserve(tx: Tx) -> str | None:
        free_at = None
        for kind, key in keys.items():
            times = await tx.list_login_failures(key, since)
            if len(times) >= FAILURE_LIMITS[kind]:
                oldest = times[len(times) - FAILURE_LIMITS[kind]]
                free_at = max(free_at or oldest, oldest)
        if free_at is None:
            await tx.add_login_failure(list(keys.values()), iso(now), forget_before=since)
        return free_at

    free_at = await store.write(reserve)
    if free_at is not None:
        wait = datetime.fromisoformat(free_at) + FAILURE_WINDOW - now
        seconds = max(1, math.ceil(wait.total_seconds()))
        minutes = math.ceil(seconds / 60)
        if minutes == 1:
            raise RateLimited(
                N_("Too many attempts. Please wait 1 minute and try again."), retry_after=seconds
            )
        raise RateLimited(
            N_("Too many attempts. Please wait %(minutes)s minutes and try again."),
            minutes=minutes,
            retry_after=seconds,
        )


async def log_in(
    store: Store,
    *,
    email: object,
    password: object,
    address: str,
    replaces: str | None = None,
    idle: timedelta = SESSION_IDLE,
    clock: Clock = SYSTEM_CLOCK,
) -> LoggedIn:
    """Check an e-mail address and password and open a session of `idle` idle timeout.
    `replaces` is the session cookie the request carried, if any: that session ends."""
    if not isinstance(email, str) or not isinstance(password, str) or len(email) > 254:
        raise Invalid(N_("Please give your e-mail address and password."))
    check_password_size(password)
    email = email.strip().lower()
    now = clock.now()
    keys = _attempt_keys(email, address)
    await _reserve_attempt(store, keys, now)
    user = await store.load_user_by_email(email)
    passwords = passwords_for(store)
    # Without an account this verifies against a dummy hash: the answer takes as long.
    password_ok = await passwords.verify(user.password_hash if user else None, password)
    if user is None or not password_ok or user.disabled:
        if user is not None and password_ok and user.disabled:
            raise Unauthenticated(
                N_("This account has been disabled. Please contact your coordinator.")
            )
        raise Unauthenticated(N_("That e-mail address and password do not match."))
    old_hash = user.password_hash
    assert old_hash is not None
    new_hash = await passwords.hash(password) if passwords.needs_rehash(old_hash) else None

    async def open_session(tx: Tx) -> tuple[str, int | None]:
        await tx.clear_login_failures(keys["account_address"])
        await tx.forget_login_failure(keys["address"], iso(now))  # it succeeded
        if new_hash is not None:
            await tx.replace_password_hash(user.id, old_hash, new_hash)
        replaced = await tx.delete_session(token_hash(replaces)) if replaces else None
        await count_use(tx, user.id, "login", iso(now))
        return await do_open_session(tx, user.id, now, idle), replaced

    token, replaced_user_id = await store.write(open_session)
    return LoggedIn(token, user, replaced_user_id)


async def load_session_user(
    store: Store, token: str | None, *, clock: Clock = SYSTEM_CLOCK
) -> User:
    """The user behind a session cookie; Unauthenticated if it is unknown, expired, idle too
    long or disabled.  Using a session moves its idle deadline on (at most once a minute)."""
    if not token or len(token) > 200:
        raise Unauthenticated(N_("Please log in."))
    now = clock.now()
    found = await store.load_session_user(token_hash(token), iso(now))
    if found is None:
        raise Unauthenticated(N_("Your session has ended. Please log in again."))
    session, user = found
    last_used = datetime.fromisoformat(session.last_used_at)
    if now - last_used >= SESSION_TOUCH:
        idle = datetime.fromisoformat(session.idle_expires_at) - last_used
        moved_on = {"now": iso(now), "idle_expires_at": iso(now + idle)}
        await store.write(
            lambda tx: tx.touch_session(
                session.token_hash, last_used_at=session.last_used_at, **moved_on
            )
        )
    return user


async def log_out(store: Store, token: str) -> None:
    await store.write(lambda tx: tx.delete_session(token_hash(token)))


async def change_password(
    store: Store,
    user: User,
    *,
    current: object,
    new: object,
    end_other_sessions: bool,
    keep_token: str | None,
) -> None:
    passwords = passwords_for(store)
    if (
        not isinstance(current, str)
        or len(current) > MAX_PASSWORD
        or not await passwords.verify(user.password_hash, current)
    ):
        raise Invalid(N_("Your current password is not right."))
    new_hash = await passwords.hash(check_password(new))

    async def set_password(tx: Tx) -> None:
        await tx.set_password_hash(user.id, new_hash)
        if end_other_sessions:
            keep = token_hash(keep_token) if keep_token else None
            await tx.delete_user_sessions(user.id, keep=keep)

    await store.write(set_password)


def _check_profile_text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise Invalid(N_("%(what)s must be text."), what=Words(what))
    if len(value) > limit:
        raise TooLarge(
            N_("%(what)s is too long: at most %(limit)s characters."),
            what=Words(what),
            limit=Count(limit),
        )
    return value.strip()


@dataclass(frozen=True)
class ProfileChange:
    user: User
    rerendered: list[Message]  # messages that mention the person, drawn again with the new name


async def set_language(store: Store, user: User, language: object) -> User:
    """The language the person reads the interface in ('' for the programme's)."""
    chosen = check_language(language)
    return await store.write(lambda tx: tx.set_user_language(user.id, chosen))


async def update_profile(
    store: Store, user: User, *, name: object, expertise: object, bio: object
) -> ProfileChange:
    clean_name = check_name(name)
    clean_expertise = _check_profile_text(expertise, N_("Field of expertise"), 200)
    clean_bio = _check_profile_text(bio, N_("Bio"), 2000)

    async def update(tx: Tx) -> tuple[User, list[int]]:
        updated = await tx.update_profile(
            user.id, name=clean_name, expertise=clean_expertise, bio=clean_bio
        )
        if clean_name == user.name:
            return updated, []
        return updated, await rerender_mentions_of(tx, user.id)

    updated, rerendered = await store.write(update)
    return ProfileChange(updated, await store.load_messages(rerendered))
