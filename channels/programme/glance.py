"""The programme at a glance, for the coordinators' home page: people, pairs, the pairs gone
quiet, tasks falling due, and mail that could not be sent.

Every figure is a count.  A pair is quiet when nobody has written in its channel for
`QUIET_DAYS`: only the times of its messages are read, never what they say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.policy import PARTICIPANTS, ROLES, check_coordinator
from storage import Store
from storage.records import User

QUIET_DAYS = 14
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class RoleCount:
    role: str
    people: int  # accounts not disabled
    invited: int  # of them, those who have not chosen a password yet


@dataclass(frozen=True)
class Glance:
    people: tuple[RoleCount, ...]  # participants first, then coordinators
    active_pairs: int
    quiet_pairs: int
    tasks_overdue: int
    tasks_due_soon: int  # within DUE_SOON_DAYS
    mail_failed: int


def quiet_since(now: datetime) -> datetime:
    """A pair with no message written since this moment is quiet."""
    return now - timedelta(days=QUIET_DAYS)


async def list_quiet_pair_ids(store: Store, user: User, *, clock: Clock = SYSTEM_CLOCK) -> set[int]:
    """The active pairs in which nobody has written for `QUIET_DAYS` (nor since they began)."""
    check_coordinator(user)
    return set(await store.list_quiet_pair_ids(iso(quiet_since(clock.now()))))


async def load_glance(store: Store, user: User, *, clock: Clock = SYSTEM_CLOCK) -> Glance:
    check_coordinator(user)
    now = clock.now()
    by_role = await store.count_people_by_role()
    overdue, due_soon = await store.count_open_tasks(
        now=iso(now), due_before=iso(now + timedelta(days=DUE_SOON_DAYS))
    )
    order = (*PARTICIPANTS, *(r for r in ROLES if r not in PARTICIPANTS))
    return Glance(
        people=tuple(RoleCount(role, *by_role.get(role, (0, 0))) for role in order),
        active_pairs=len(await store.list_pairs(active_only=True)),
        quiet_pairs=len(await store.list_quiet_pair_ids(iso(quiet_since(now)))),
        tasks_overdue=overdue,
        tasks_due_soon=due_soon,
        mail_failed=(await store.count_mail())["failed"],
    )
