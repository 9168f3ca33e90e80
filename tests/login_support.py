"""Helpers for the login and session tests: a real argon2 hasher that counts its work, and a
bounded wait."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from argon2 import PasswordHasher

from channels.people.passwords import passwords_for


class CountingHasher(PasswordHasher):
    """argon2id as in production, recording each hash and verification, and the most that
    ran at the same moment."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.verified: list[str] = []  # the hashes checked against
        self.hashed = 0
        self.most_at_once = 0
        self._running = 0
        self._lock = threading.Lock()

    def _start(self) -> None:
        with self._lock:
            self._running += 1
            self.most_at_once = max(self.most_at_once, self._running)

    def _end(self) -> None:
        with self._lock:
            self._running -= 1

    def hash(self, password, *, salt=None) -> str:  # type: ignore[override]
        self._start()
        try:
            with self._lock:
                self.hashed += 1
            return super().hash(password, salt=salt)
        finally:
            self._end()

    def verify(self, hash, password) -> bool:  # type: ignore[override]
        self._start()
        try:
            with self._lock:
                self.verified.append(hash if isinstance(hash, str) else hash.decode())
            return super().verify(hash, password)
        finally:
            self._end()


def count_hashing(server) -> CountingHasher:
    """Make the server's own `Passwords` hash through a CountingHasher with the parameters
    it had (the suite's cheap ones, tests/conftest.py) and return it."""
    current = passwords_for(server.store).hasher
    hasher = CountingHasher(
        time_cost=current.time_cost,
        memory_cost=current.memory_cost,
        parallelism=current.parallelism,
        hash_len=current.hash_len,
        salt_len=current.salt_len,
    )
    passwords_for(server.store).hasher = hasher
    return hasher


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until `check()` holds, polling, for at most `within` seconds."""
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.02)
