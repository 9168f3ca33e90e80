"""Which channels exist and who is in them: the programme's fixed channels, pairs,
communities, and the list each user sees."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from channels import policy
from channels.chat import notices
from channels.chat.messages import add_message
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Forbidden, NotFound
from channels.languages import N_
from channels.readers import Reader
from storage import IntegrityError, Store, Tx
from storage.records import Channel, ChannelSummary, Message, Pair, User

ARCHIVED = N_("This community has been archived.")

# Their names and topics as created, marked: pages and mails say them in the reader's
# language unless the coordinators changed them.
PROGRAMME_CHANNELS = {
    "announcements": (N_("Announcements"), N_("News from the programme coordinators.")),
    "mentor_lounge": (N_("Mentor lounge"), N_("Mentors supporting each other.")),
    "mentee_lounge": (N_("Mentee lounge"), N_("Mentees supporting each other.")),
}


def said_as_created(
    kind: str, name: str, topic: str, gettext: Callable[[str], str]
) -> tuple[str, str]:
    """A channel's name and topic for a reader: a programme channel's, as created, in the
    reader's language (`gettext`); what the coordinators wrote instead is theirs."""
    default = PROGRAMME_CHANNELS.get(kind)
    if default is None:
        return name, topic
    return (
        gettext(name) if name == default[0] else name,
        gettext(topic) if topic == default[1] else topic,
    )


def channel_title(kind: str, name: str, words: Reader) -> str:
    """A channel's name in `words`' language (see `said_as_created`)."""
    return said_as_created(kind, name, "", words.gettext)[0]


async def set_up_programme(store: Store, *, clock: Clock = SYSTEM_CLOCK) -> list[Channel]:
    """Create the announcements channel and both lounges if missing (safe to run again)."""

    async def create_missing(tx: Tx) -> list[Channel]:
        created = []
        for kind, (name, topic) in PROGRAMME_CHANNELS.items():
            if await tx.load_channel_by_kind(kind) is None:
                created.append(
                    await tx.insert_channel(kind=kind, name=name, topic=topic, now=iso(clock.now()))
                )
        return created

    try:
        return await store.write(create_missing)
    except IntegrityError:
        # Another node starting on the same database made them meanwhile (channels_one_of_each
        # refused the copies): they are there now.
        return await store.write(create_missing)


async def list_channels(store: Store, user: User) -> list[ChannelSummary]:
    return await store.list_channels_for_user(
        user.id,
        by_role=policy.kinds_read_by_role(user.role),
        by_membership=policy.kinds_read_by_membership(),
    )


@dataclass(frozen=True)
class Listing:
    """A channel in a user's list, with the other person of a pair channel and whether they
    are online now."""

    summary: ChannelSummary
    partner: User | None = None
    partner_online: bool = False


async def list_channels_with_partners(
    store: Store, user: User, *, online_among: Callable[[list[int]], Awaitable[set[int]]]
) -> list[Listing]:
    """The user's channels; each pair channel with its partner, loaded in one query, and
    `online_among(user_ids)` (the server's presence, on every node) asked about them at once."""
    summaries = await list_channels(store, user)
    partners = await store.load_users([s.partner_id for s in summaries if s.partner_id])
    online_now = await online_among(sorted(partners))
    listings = []
    for summary in summaries:
        partner = partners.get(summary.partner_id) if summary.partner_id else None
        online = partner is not None and partner.id in online_now
        listings.append(Listing(summary, partner, online))
    return listings


async def readable_channel_ids(store: Store, user: User) -> list[int]:
    """The channels `user` may read now, by the policy's table (none for a disabled account):
    their socket rooms, and where their search looks."""
    if user.disabled:
        return []
    return await store.list_readable_channel_ids(
        user.id,
        by_role=policy.kinds_read_by_role(user.role),
        by_membership=policy.kinds_read_by_membership(),
    )


@dataclass(frozen=True)
class NewPair:
    pair: Pair
    channel: Channel
    welcome: Message


async def do_create_pair(tx: Tx, mentor: User, mentee: User, now: str) -> tuple[Pair, int]:
    """Inside a write: the pair's private channel, its two members, the pair and a welcome
    message; returns the pair and the welcome's id."""
    welcome = notices.written("pair.welcome", mentor=mentor.name, mentee=mentee.name)
    channel = await tx.insert_channel(kind="pair", name=f"{mentor.name} & {mentee.name}", now=now)
    await tx.add_member(channel.id, mentor.id, now)
    await tx.add_member(channel.id, mentee.id, now)
    pair = await tx.insert_pair(
        mentor_id=mentor.id, mentee_id=mentee.id, channel_id=channel.id, now=now
    )
    message_id = (
        await add_message(
            tx,
            channel_id=channel.id,
            author_id=None,
            kind="system",
            body=welcome.body,
            html=welcome.html,
            notice=welcome.notice,
            now=now,
        )
    ).id
    return pair, message_id


async def join_community(
    store: Store, user: User, channel_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> Channel:
    channel = await store.load_channel(channel_id)
    if channel is None or channel.kind != "community":
        raise NotFound(N_("That community does not exist."))
    if channel.archived:
        raise Forbidden(ARCHIVED)

    async def join(tx: Tx) -> None:
        await tx.lock_channel(channel.id)  # not archived between this check and the join
        current = await tx.load_channel(channel.id)
        if current is None or current.archived:
            raise Forbidden(ARCHIVED)
        await tx.add_member(channel.id, user.id, iso(clock.now()))

    await store.write(join)
    return channel


async def leave_community(store: Store, user: User, channel_id: int) -> None:
    channel = await store.load_channel(channel_id)
    if channel is None or channel.kind != "community":
        raise NotFound(N_("That community does not exist."))
    await store.write(lambda tx: tx.remove_member(channel.id, user.id))


async def load_visible_channel(store: Store, user: User, channel_id: int) -> Channel:
    return await policy.check_allowed(store, user, channel_id, policy.Action.READ)
