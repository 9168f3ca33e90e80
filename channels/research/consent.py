"""Research consent: each participant says yes or no at their first login, and may change it
at any time from their profile; every decision is kept with its time.  Their use is recorded
only while their answer is yes, and reports and exports count only the people whose latest
answer is yes, so withdrawing takes a person out of the next export.  Coordinators are not participants: they are never asked."""

from __future__ import annotations

from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Forbidden
from channels.input import check_bool, check_object
from channels.languages import N_
from channels.policy import PARTICIPANTS
from storage import Store
from storage.records import ConsentDecision, User

NOT_ASKED = N_("Coordinators are not part of the research: there is nothing to consent to.")


def is_asked(user: User) -> bool:
    return user.role in PARTICIPANTS


async def load_consent(store: Store, user: User) -> ConsentDecision | None:
    """The person's latest decision; None when they have not decided yet."""
    return await store.load_consent(user.id) if is_asked(user) else None


async def needs_asking(store: Store, user: User) -> bool:
    """A participant who has not decided yet: their first login asks."""
    return is_asked(user) and await store.load_consent(user.id) is None


async def decide(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> ConsentDecision:
    """`payload`: {consented: true|false}.  Recorded with its time, even when it repeats the
    last decision (the record says when it was confirmed)."""
    consented = check_bool(check_object(payload), "consented")
    if not is_asked(user):
        raise Forbidden(NOT_ASKED)
    now = iso(clock.now())
    await store.write(lambda tx: tx.insert_consent(user.id, consented, now))
    return ConsentDecision(consented, now)
