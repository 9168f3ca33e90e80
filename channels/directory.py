"""Which channels exist and who is in them: the programme's fixed channels, pairs,
communities, and the list each user sees."""

from __future__ import annotations

from dataclasses import dataclass

import storage
from storage.records import Channel, ChannelSummary, Message, Pair, User

from . import policy
from .clock import SYSTEM_CLOCK, Clock, iso
from .errors import Conflict, Forbidden, Invalid, NotFound
from .input import check_name
from .render import render_markdown

PROGRAMME_CHANNELS = {
    "announcements": ("Announcements", "News from the programme coordinators."),
    "mentor_lounge": ("Mentor lounge", "Mentors supporting each other."),
    "mentee_lounge": ("Mentee lounge", "Mentees supporting each other."),
}


async def set_up_programme(store, *, clock: Clock = SYSTEM_CLOCK) -> list[Channel]:
    """Create the announcements channel and both lounges if missing (safe to run again)."""

    async def create_missing(tx) -> list[Channel]:
        created = []
        for kind, (name, topic) in PROGRAMME_CHANNELS.items():
            if await tx.load_channel_by_kind(kind) is None:
                created.append(
                    await tx.insert_channel(kind=kind, name=name, topic=topic, now=iso(clock.now()))
                )
        return created

    return await store.write(create_missing)


async def list_channels(store, user: User) -> list[ChannelSummary]:
    return await store.list_channels_for_user(
        user.id,
        by_role=policy.kinds_read_by_role(user.role),
        by_membership=policy.kinds_read_by_membership(),
    )


async def readable_channel_ids(store, user: User) -> list[int]:
    return [summary.channel.id for summary in await list_channels(store, user)]


@dataclass(frozen=True)
class NewPair:
    pair: Pair
    channel: Channel
    welcome: Message


async def create_pair(
    store, *, mentor_id: int, mentee_id: int, clock: Clock = SYSTEM_CLOCK
) -> NewPair:
    """Pair a mentor with a mentee: their private channel, its two members, a welcome."""
    users = await store.load_users([mentor_id, mentee_id])
    mentor, mentee = users.get(mentor_id), users.get(mentee_id)
    if mentor is None or mentee is None:
        raise NotFound("No such mentor or mentee.")
    if mentor.role != "mentor" or mentee.role != "mentee":
        raise Invalid("A pair is one mentor and one mentee.")
    if mentor.disabled or mentee.disabled:
        raise Invalid("A disabled account cannot be paired.")
    try:
        pair, message_id = await store.write(
            lambda tx: do_create_pair(tx, mentor, mentee, iso(clock.now()))
        )
    except storage.IntegrityError:
        raise Conflict(f"{mentor.name} and {mentee.name} are already a pair.") from None
    welcome = await store.load_message(message_id)
    assert welcome is not None
    return NewPair(pair, await store.load_channel(pair.channel_id), welcome)


async def do_create_pair(tx, mentor: User, mentee: User, now: str) -> tuple[Pair, int]:
    """Inside a write: the pair's private channel, its two members, the pair and a welcome
    message; returns the pair and the welcome's id."""
    body = (
        f"Welcome, {mentor.name} and {mentee.name}! This is your private pair channel: "
        "only the two of you can read it."
    )
    channel = await tx.insert_channel(kind="pair", name=f"{mentor.name} & {mentee.name}", now=now)
    await tx.add_member(channel.id, mentor.id, now)
    await tx.add_member(channel.id, mentee.id, now)
    pair = await tx.insert_pair(
        mentor_id=mentor.id, mentee_id=mentee.id, channel_id=channel.id, now=now
    )
    seq = await tx.next_seq(channel.id)
    message_id = await tx.insert_message(
        channel_id=channel.id, author_id=None, thread_id=None, kind="system",
        body=body, html=render_markdown(body), client_id=None, seq=seq, now=now,
    )  # fmt: skip
    return pair, message_id


async def create_community(
    store, *, name: object, topic: object = "", clock: Clock = SYSTEM_CLOCK
) -> Channel:
    name = check_name(name, "Community name")
    if not isinstance(topic, str) or len(topic) > 500:
        raise Invalid("The topic must be text of at most 500 characters.")
    return await store.write(
        lambda tx: tx.insert_channel(
            kind="community", name=name, topic=topic.strip(), now=iso(clock.now())
        )
    )


async def join_community(
    store, user: User, channel_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> Channel:
    channel = await store.load_channel(channel_id)
    if channel is None or channel.kind != "community":
        raise NotFound("That community does not exist.")
    if channel.archived:
        raise Forbidden("This community has been archived.")
    await store.write(lambda tx: tx.add_member(channel.id, user.id, iso(clock.now())))
    return channel


async def leave_community(store, user: User, channel_id: int) -> None:
    channel = await store.load_channel(channel_id)
    if channel is None or channel.kind != "community":
        raise NotFound("That community does not exist.")
    await store.write(lambda tx: tx.remove_member(channel.id, user.id))


async def load_visible_channel(store, user: User, channel_id: int) -> Channel:
    return await policy.check_allowed(store, user, channel_id, policy.Action.READ)
