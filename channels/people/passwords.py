"""Password hashes: argon2id, run in threads, at most one per core at a time.

A hash costs a core for a few hundred milliseconds on purpose, so hashing is a resource an
attacker can exhaust.  Every hash and verification of a store goes through its `Passwords`,
whose semaphore lets one run per core and queues the rest; a login for an address without an
account (or without a password yet) verifies against a dummy hash, so how long the answer
takes does not tell whether the account exists.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import weakref
from collections.abc import Callable
from typing import TypeVar

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from channels.errors import Invalid, TooLarge
from channels.languages import N_
from storage import Store

MIN_PASSWORD = 10
MAX_PASSWORD = 1024

T = TypeVar("T")

# argon2-cffi's recommended parameters (RFC 9106, low memory).  The test suite swaps in the
# library's CHEAPEST profile for the servers it runs in its own process (tests/conftest.py),
# where hundreds of logins would otherwise cost minutes of CPU; nothing else changes it.
PARAMETERS: Parameters = profiles.RFC_9106_LOW_MEMORY


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Invalid(
            N_("Passwords need at least %(min_password)s characters."), min_password=MIN_PASSWORD
        )
    check_password_size(password)
    return password


def check_password_size(password: str) -> None:
    """Refuse a password too long to be anyone's, before it costs a hash."""
    if len(password) > MAX_PASSWORD:
        raise TooLarge(
            N_("Passwords can have at most %(max_password)s characters."), max_password=MAX_PASSWORD
        )


class Passwords:
    """Hashing for one store: argon2id with the library's recommended parameters."""

    def __init__(self, hasher: PasswordHasher | None = None, slots: int | None = None) -> None:
        self.hasher = hasher or PasswordHasher.from_parameters(PARAMETERS)
        self._slots = asyncio.Semaphore(slots or os.cpu_count() or 1)
        self._dummy: str | None = None

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        async with self._slots:
            return await asyncio.to_thread(work, *args)

    async def hash(self, password: str) -> str:
        return await self._run(self.hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no hash, the same work against a dummy, and False."""
        if not password_hash:
            if self._dummy is None:
                self._dummy = await self.hash(secrets.token_urlsafe(16))
            await self._run(self._verify, self._dummy, password)
            return False
        return await self._run(self._verify, password_hash, password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


_BY_STORE: weakref.WeakKeyDictionary[object, Passwords] = weakref.WeakKeyDictionary()


def passwords_for(store: Store) -> Passwords:
    """The `Passwords` of a store, made on first use: one semaphore per running server."""
    passwords = _BY_STORE.get(store)
    if passwords is None:
        passwords = _BY_STORE[store] = Passwords()
    return passwords
