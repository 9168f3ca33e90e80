"""Mentions: `@[Maria Jensen](user:12)` in a message's source.  The id is what counts; the label
is only what the writer saw.  The chip shows the person's name as stored, and when they are
renamed every message mentioning them is rendered again (in the rename's transaction), so
the rule "rendered once, on write" still holds and reading a page costs no extra query."""

from __future__ import annotations

import re

from channels.errors import Invalid
from channels.languages import N_
from channels.policy import Action, allows, needs_membership
from channels.render import render_markdown
from storage import Reads, Tx
from storage.records import Channel, User

MENTION = re.compile(r"@\[(?P<label>[^\]\n]{0,200})\]\(user:(?P<id>[1-9][0-9]{0,15})\)")
MAX_MENTIONS = 20
CANNOT_MENTION = N_("You can only mention people who can read this channel.")


def parse_mentions(body: str) -> list[int]:
    """The ids mentioned, each once, in order of appearance."""
    return list(dict.fromkeys(int(found["id"]) for found in MENTION.finditer(body)))


def unlink_mentions(body: str) -> str:
    """The source with each mention as the plain text its writer saw ("@Maria Jensen"): for an
    excerpt, or a quote elsewhere that must mention (and notify) nobody."""
    return MENTION.sub(r"@\g<label>", body)


async def can_read(store: Reads, user: User, channel: Channel) -> bool:
    member = needs_membership(channel.kind, Action.READ) and await store.is_member(
        channel.id, user.id
    )
    return allows(user, channel, Action.READ, is_member=member)


async def check_mentions(store: Reads, channel: Channel, body: str) -> dict[int, User]:
    """The people a message mentions (id -> user), every one of whom may read `channel`; an
    id that does not exist is refused with the same sentence as one who may not read it."""
    ids = parse_mentions(body)
    if not ids:
        return {}
    if len(ids) > MAX_MENTIONS:
        raise Invalid(
            N_("A message can mention at most %(max_mentions)s people."), max_mentions=MAX_MENTIONS
        )
    people = await store.load_users(ids)
    for user_id in ids:
        person = people.get(user_id)
        if person is None or not await can_read(store, person, channel):
            raise Invalid(CANNOT_MENTION)
    return {user_id: people[user_id] for user_id in ids}


def names(people: dict[int, User]) -> dict[int, str]:
    return {user_id: person.name for user_id, person in people.items()}


async def rerender_mentions_of(tx: Tx, user_id: int) -> list[int]:
    """Inside a rename's write: render again every message that mentions the person, each as a
    change with its channel's next seq (so a client that syncs gets the new name).  Returns
    the ids of the messages changed."""
    changed = []
    for message_id in await tx.list_messages_mentioning(user_id):
        message = await tx.load_message(message_id)
        if message is None or message.deleted_at is not None:
            continue
        people = await tx.load_users(await tx.list_mentioned(message_id))
        html = render_markdown(message.body, names(people))
        if html == message.html:
            continue
        seq = await tx.next_seq(message.channel_id)
        await tx.update_message_html(message_id, html=html, seq=seq)
        changed.append(message_id)
    return changed


MAX_CANDIDATES = 8


async def list_mentionable(store: Reads, user: User, channel: Channel, query: str) -> list[User]:
    """Who `user` may mention in `channel` (already checked readable by them): the people who
    can read it, but not themselves, whose name starts a word with `query` (any case)."""
    needle = query.strip().casefold()
    members = set(await store.list_member_ids(channel.id))
    found = []
    for person in await store.list_users():
        if person.id == user.id or person.disabled:
            continue
        if not allows(person, channel, Action.READ, is_member=person.id in members):
            continue
        words = person.name.casefold().split()
        if (
            needle
            and not any(w.startswith(needle) for w in words)
            and not person.name.casefold().startswith(needle)
        ):
            continue
        found.append(person)
    found.sort(key=lambda p: p.name.casefold())
    return found[:MAX_CANDIDATES]
