"""The welcome a mentor or mentee reads at first login: what their pair channel is, the
lounges, and where help is.  Shown until they say they have read it."""

from __future__ import annotations

from channels.clock import SYSTEM_CLOCK, Clock, iso
from storage import Store
from storage.records import User

WELCOMED = ("mentor", "mentee")  # coordinators set the programme up; they are not welcomed


async def needs_welcome(store: Store, user: User) -> bool:
    return user.role in WELCOMED and not await store.load_welcome_seen(user.id)


async def mark_seen(store: Store, user: User, *, clock: Clock = SYSTEM_CLOCK) -> None:
    """Read: not shown again.  Saying so twice changes nothing."""
    now = iso(clock.now())
    await store.write(lambda tx: tx.insert_welcome_seen(user.id, now))
