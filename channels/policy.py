"""Who may do what in which kind of channel: the one table every read and write path asks.

An audience is a role name, or MEMBER for the people listed as members of that very channel
(the two people of a pair, those who joined a community).  An archived channel (an ended pair,
an archived community) can still be read by its audience and nothing else.

What you may not read does not exist, as far as you can tell: a channel, message or thread you
cannot read gets the very same `not_found` (code and sentence) as an id that was never used, so
ids tell nothing.  `forbidden` is only for what you can read but not do (post in announcements
as a mentee, anything in an ended pair).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from channels.errors import Forbidden, NotFound
from channels.languages import N_
from storage import Store
from storage.records import PRIVATE_CHANNEL_KINDS, Channel, Message, User


class Action(StrEnum):
    READ = "read"
    POST = "post"  # a new top-level message
    REPLY = "reply"  # a message in a thread
    EDIT_OWN = "edit_own"
    DELETE_OWN = "delete_own"
    MODERATE = "moderate"  # delete anyone's message
    REACT = "react"


ROLES = ("coordinator", "mentor", "mentee")
PARTICIPANTS = ("mentor", "mentee")  # the people a programme is for: coordinators run it
KINDS = ("pair", "mentor_lounge", "mentee_lounge", "announcements", "community", "coordinator_line")
MEMBER = "member"
EVERYONE = frozenset(ROLES)


def _rule(talk: set[str], *, moderate: set[str], post: set[str] | None = None) -> dict:
    talk_set = frozenset(talk)
    return {
        Action.READ: talk_set,
        Action.POST: frozenset(post) if post is not None else talk_set,
        Action.REPLY: talk_set,
        Action.EDIT_OWN: talk_set,
        Action.DELETE_OWN: talk_set,
        Action.REACT: talk_set,
        Action.MODERATE: frozenset(moderate),
    }


RULES: dict[str, dict[Action, frozenset[str]]] = {
    # Confidential: the pair alone.  Coordinators see counts elsewhere, never content.
    "pair": _rule({MEMBER}, moderate=set()),
    "mentor_lounge": _rule({"mentor", "coordinator"}, moderate={"coordinator"}),
    "mentee_lounge": _rule({"mentee", "coordinator"}, moderate={"coordinator"}),
    # Everyone reads and replies in threads; only coordinators start a post.
    "announcements": _rule(set(EVERYONE), moderate={"coordinator"}, post={"coordinator"}),
    "community": _rule({MEMBER, "coordinator"}, moderate={"coordinator"}),
    # One participant (its only member) and every coordinator: the one channel where
    # coordinators read what a participant writes, and the page says so.
    "coordinator_line": _rule({MEMBER, "coordinator"}, moderate=set()),
}

PRIVATE_KINDS = PRIVATE_CHANNEL_KINDS  # words that never leave their channel (storage.records)


def allows(user: User, channel: Channel, action: Action, *, is_member: bool) -> bool:
    if user.disabled:
        return False
    if channel.archived and action is not Action.READ:
        return False
    audience = RULES[channel.kind][action]
    return user.role in audience or (is_member and MEMBER in audience)


def kinds_read_by_role(role: str) -> list[str]:
    return [kind for kind in KINDS if role in RULES[kind][Action.READ]]


def kinds_read_by_membership() -> list[str]:
    return [kind for kind in KINDS if MEMBER in RULES[kind][Action.READ]]


def needs_membership(kind: str, action: Action) -> bool:
    return MEMBER in RULES[kind][action]


# Who may see a library folder (and so open what it holds), by the folder's audience.
FOLDER_AUDIENCES: dict[str, frozenset[str]] = {
    "everyone": EVERYONE,
    "mentors": frozenset({"mentor", "coordinator"}),
    "mentees": frozenset({"mentee", "coordinator"}),
    "coordinators": frozenset({"coordinator"}),
}


def may_see_audience(user: User, audience: str) -> bool:
    return not user.disabled and user.role in FOLDER_AUDIENCES[audience]


NO_CHANNEL = N_("That channel does not exist.")
NO_MESSAGE = N_("That message does not exist.")


async def check_allowed(
    store: Store, user: User, channel_id: int, action: Action, *, missing: str = NO_CHANNEL
) -> Channel:
    """Load the channel and check `user` may do `action` in it; raise otherwise.  A channel
    the user cannot read answers NotFound(`missing`), exactly as one that does not exist."""
    channel = await store.load_channel(channel_id)
    if channel is None:
        raise NotFound(missing)
    by_membership = needs_membership(channel.kind, action) or needs_membership(
        channel.kind, Action.READ
    )
    is_member = by_membership and await store.is_member(channel.id, user.id)
    if allows(user, channel, action, is_member=is_member):
        return channel
    if not allows(user, channel, Action.READ, is_member=is_member):
        raise NotFound(missing)
    if channel.archived:
        raise Forbidden(N_("This channel is read-only now."))
    raise Forbidden(_REFUSALS.get(action, N_("You are not allowed to do that here.")))


async def check_message_allowed(
    store: Store, user: User, message_id: int, action: Action
) -> tuple[Message, Channel]:
    """Load a message (a thread is its top-level message) and check `user` may do `action`
    to it; one in a channel the user cannot read does not exist."""
    message = await store.load_message(message_id)
    if message is None:
        raise NotFound(NO_MESSAGE)
    channel = await check_allowed(store, user, message.channel_id, action, missing=NO_MESSAGE)
    return message, channel


_REFUSALS = {
    Action.POST: N_("You cannot post in this channel."),
    Action.REPLY: N_("You cannot reply in this channel."),
    Action.MODERATE: N_("Only a moderator can remove other people's messages here."),
}


# Running the programme: coordinators only.


@dataclass(frozen=True)
class Actor:
    """Who did it, for the audit log: a coordinator, or someone at the command line (id None)."""

    id: int | None
    name: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.name)


def check_coordinator(user: User) -> Actor:
    """Every coordinator action starts here; the Actor it returns signs the audit entry."""
    if user.role != "coordinator" or user.disabled:
        raise Forbidden(N_("Only programme coordinators can do that."))
    return Actor.of(user)
