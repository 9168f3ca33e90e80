"""The coordinator line: one channel per participant (mentor or mentee) shared with every
coordinator, for "my mentor has gone quiet" or "I need help".  It is the only channel where
coordinators read what a participant writes, and its page says so.  A line is made when it is
first used: by its participant, or by a coordinator writing to them."""

from __future__ import annotations

from dataclasses import dataclass

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import NotFound
from channels.languages import N_
from channels.policy import PARTICIPANTS
from storage import IntegrityError, Store, Tx
from storage.records import Channel, User

NO_PERSON = N_("That person does not exist.")


@dataclass(frozen=True)
class OpenedLine:
    channel: Channel
    owner: User
    created: bool  # made just now: the people who hear it must be told


async def load_line(store: Store, user: User) -> Channel | None:
    """The person's own line, if they have used it."""
    return await store.load_coordinator_line(user.id)


async def open_line(
    store: Store, actor: User, owner_id: int | None = None, *, clock: Clock = SYSTEM_CLOCK
) -> OpenedLine:
    """The line of `owner_id` (a coordinator writing to a participant) or of the actor
    themselves (None), made if it does not exist yet.  Anyone else's: not found."""
    if owner_id is None or owner_id == actor.id:
        owner: User | None = actor
    elif actor.role == "coordinator" and not actor.disabled:
        owner = await store.load_user(owner_id)
    else:
        owner = None
    if owner is None or owner.disabled or owner.role not in PARTICIPANTS or actor.disabled:
        raise NotFound(NO_PERSON)
    found: User = owner

    async def open_it(tx: Tx) -> tuple[Channel, bool]:
        existing = await tx.load_coordinator_line(found.id)
        if existing is not None:
            return existing, False
        now = iso(clock.now())
        channel = await tx.insert_channel(
            kind="coordinator_line",
            name=found.name,
            topic="Only this person and the programme's coordinators read this line.",
            now=now,
        )
        await tx.add_member(channel.id, found.id, now)
        await tx.insert_coordinator_line(found.id, channel.id)
        return channel, True

    try:
        channel, created = await store.write(open_it)
    except IntegrityError:  # opened by someone else at the same moment: theirs is the line
        channel, created = await store.write(open_it)
    return OpenedLine(channel, owner, created)
