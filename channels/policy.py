"""Who may do what in which kind of channel: the one table every read and write path asks.

An audience is a role name, or MEMBER for the people listed as members of that very channel
(the two people of a pair, those who joined a community).  An archived channel (an ended pair,
an archived community) can still be read by its audience and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from channels.errors import Forbidden, NotFound
from storage.records import Channel, User


class Action(StrEnum):
    READ = "read"
    POST = "post"  # a new top-level message
    REPLY = "reply"  # a message in a thread
    EDIT_OWN = "edit_own"
    DELETE_OWN = "delete_own"
    MODERATE = "moderate"  # delete anyone's message
    REACT = "react"


ROLES = ("coordinator", "mentor", "mentee")
KINDS = ("pair", "mentor_lounge", "mentee_lounge", "announcements", "community")
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
}


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


async def check_allowed(store, user: User, channel_id: int, action: Action) -> Channel:
    """Load the channel and check `user` may do `action` in it; raise otherwise."""
    channel = await store.load_channel(channel_id)
    if channel is None:
        raise NotFound("That channel does not exist.")
    is_member = needs_membership(channel.kind, action) and await store.is_member(
        channel.id, user.id
    )
    if allows(user, channel, action, is_member=is_member):
        return channel
    if action is Action.READ:
        raise Forbidden("You are not allowed to see this channel.")
    if channel.archived:
        raise Forbidden("This channel is read-only now.")
    raise Forbidden(_REFUSALS.get(action, "You are not allowed to do that here."))


_REFUSALS = {
    Action.POST: "You cannot post in this channel.",
    Action.REPLY: "You cannot reply in this channel.",
    Action.MODERATE: "Only a moderator can remove other people's messages here.",
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
        raise Forbidden("Only programme coordinators can do that.")
    return Actor.of(user)
