"""Accounts, passwords, sessions and the brake on guessing passwords."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

import storage
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Invalid, RateLimited, TooLarge, Unauthenticated
from channels.input import check_name
from channels.policy import ROLES
from storage.records import User

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
SESSION_LIFETIME = timedelta(days=30)
# Failed logins are counted over a sliding window, so a lock lifts by itself.  Counting per
# (account, address) means an attacker elsewhere cannot lock a real user out of their account;
# counting per address slows one address trying many accounts.
FAILURE_WINDOW = timedelta(minutes=15)
FAILURE_LIMITS = {"account_address": 5, "address": 20}

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_email(email: object) -> str:
    if not isinstance(email, str) or len(email) > 254 or not _EMAIL.match(email.strip()):
        raise Invalid("Please give a valid e-mail address, like name@example.org.")
    return email.strip().lower()


def check_role(role: object) -> str:
    if role not in ROLES:
        raise Invalid(f"Role must be one of: {', '.join(ROLES)}.")
    return role  # type: ignore[return-value]


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Invalid(f"Passwords need at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise TooLarge(f"Passwords can have at most {MAX_PASSWORD} characters.")
    return password


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return await asyncio.to_thread(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def create_user(
    store,
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
    password_hash = None if password is None else await hash_password(check_password(password))
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
        raise Conflict(f"There is already an account for {email}.") from None


@dataclass(frozen=True)
class LoggedIn:
    token: str  # goes into the cookie; only its hash is stored
    user: User


async def log_in(
    store, *, email: object, password: object, address: str, clock: Clock = SYSTEM_CLOCK
) -> LoggedIn:
    if not isinstance(email, str) or not isinstance(password, str):
        raise Invalid("Please give your e-mail address and password.")
    email = email.strip().lower()
    now = clock.now()
    keys = {
        "account_address": f"account:{email} address:{address}",
        "address": f"address:{address}",
    }
    since = iso(now - FAILURE_WINDOW)
    for kind, key in keys.items():
        if await store.count_login_failures([key], since) >= FAILURE_LIMITS[kind]:
            raise RateLimited("Too many attempts. Please wait 15 minutes and try again.")
    user = await store.load_user_by_email(email)
    password_ok = await password_matches(user.password_hash if user else None, password)
    if user is None or not password_ok or user.disabled:
        await store.write(
            lambda tx: tx.add_login_failure(list(keys.values()), iso(now), forget_before=since)
        )
        if user is not None and password_ok and user.disabled:
            raise Unauthenticated(
                "This account has been disabled. Please contact your coordinator."
            )
        raise Unauthenticated("That e-mail address and password do not match.")
    token = secrets.token_urlsafe(32)

    async def open_session(tx) -> None:
        await tx.clear_login_failures(keys["account_address"])
        await tx.insert_session(
            token_hash=token_hash(token),
            user_id=user.id,
            now=iso(now),
            expires_at=iso(now + SESSION_LIFETIME),
        )

    await store.write(open_session)
    return LoggedIn(token, user)


async def load_session_user(store, token: str | None, *, clock: Clock = SYSTEM_CLOCK) -> User:
    """The user behind a session cookie; Unauthenticated if it is unknown, expired or disabled."""
    if not token or len(token) > 200:
        raise Unauthenticated("Please log in.")
    found = await store.load_session_user(token_hash(token), iso(clock.now()))
    if found is None:
        raise Unauthenticated("Your session has ended. Please log in again.")
    return found[1]


async def log_out(store, token: str) -> None:
    await store.write(lambda tx: tx.delete_session(token_hash(token)))


async def change_password(
    store,
    user: User,
    *,
    current: object,
    new: object,
    end_other_sessions: bool,
    keep_token: str | None,
) -> None:
    if not isinstance(current, str) or not await password_matches(user.password_hash, current):
        raise Invalid("Your current password is not right.")
    new_hash = await hash_password(check_password(new))

    async def set_password(tx) -> None:
        await tx.set_password_hash(user.id, new_hash)
        if end_other_sessions:
            keep = token_hash(keep_token) if keep_token else None
            await tx.delete_user_sessions(user.id, keep=keep)

    await store.write(set_password)


async def update_profile(
    store, user: User, *, name: object, expertise: object, bio: object
) -> User:
    name = check_name(name)
    for value, what, limit in ((expertise, "Field of expertise", 200), (bio, "Bio", 2000)):
        if not isinstance(value, str):
            raise Invalid(f"{what} must be text.")
        if len(value) > limit:
            raise TooLarge(f"{what} is too long: at most {limit:,} characters.")
    return await store.write(
        lambda tx: tx.update_profile(
            user.id,
            name=name,
            expertise=expertise.strip(),  # type: ignore[union-attr]
            bio=bio.strip(),  # type: ignore[union-attr]
        )
    )
