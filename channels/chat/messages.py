"""Posting, editing, deleting, reacting, and reading a channel back: history, threads and
the changes since a seq.

Every function checks everything bad input can break *before* it writes, writes in one
transaction, and returns what changed (each message in its new state, in seq order) so the
caller can tell connected clients after the commit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, TypeVar

import storage
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Forbidden, Invalid, NotFound
from channels.files.uploads import attach_uploads, check_attachments, check_own_uploads
from channels.input import check_count, check_id, check_object, check_text
from channels.languages import N_
from channels.notify import notifications
from channels.notify.mentions import check_mentions, names
from channels.policy import NO_MESSAGE, Action, check_allowed, check_message_allowed
from channels.render import render_markdown
from channels.research.usage import count_use, week_of
from storage import Reads, Store, Tx
from storage.records import Channel, Message, User

MAX_BODY = 10_000
MAX_CLIENT_ID = 64
MAX_EMOJI = 32
MAX_REACTION_KINDS = 20
DELETED = N_("That message has been deleted.")
NO_THREAD = N_("That thread is not in this channel.")
GOAL_CARD = N_(
    "This is a goal's card: it changes with its goal (on the goals page), and goes with it."
)
HISTORY_PAGE = 50
HISTORY_PAGE_MAX = 200  # the most one history request may ask for
SYNC_PAGE = 500


@dataclass(frozen=True)
class Changed:
    """The outcome of a write: the message the caller asked about, every message whose state
    changed (to be sent to the channel's room, in this order), and whether the write created
    `message` (False for a change, and for a repeated client_id that returned the first)."""

    message: Message
    changes: list[Message]
    created: bool = False
    released: tuple[str, ...] = ()  # blobs whose last reference may have gone (a deletion)


async def _load_message(store: Reads, message_id: int) -> Message:
    message = await store.load_message(message_id)
    if message is None:
        raise NotFound(NO_MESSAGE)
    return message


class Added(NamedTuple):
    id: int
    seq: int
    notified: bool  # whether it made or added to anyone's notifications


async def add_message(
    tx: Tx,
    *,
    channel_id: int,
    author_id: int | None,
    kind: str,
    body: str,
    html: str,
    now: str,
    thread_id: int | None = None,
    client_id: str | None = None,
    mentions: Sequence[int] = (),
    channel_kind: str | None = None,
    notice: str | None = None,
) -> Added:
    """Inside a write: insert a message with its channel's next seq; a reply also bumps its
    thread's root (reply count and last reply) with the seq after.  Every message, whoever
    posts it (people, announcements, tasks, reminders, pairing notices), goes in through here,
    and so do the notifications it causes (`mentions`: checked ids; `channel_kind`, when the
    caller has loaded the channel, saves loading it again inside the write).  Returns the new
    message's id and seq, and whether it notified anyone.  A system message of the programme
    carries its `notice` (channels/chat/notices.py `written`)."""
    seq = await tx.next_seq(channel_id)
    if thread_id is not None:
        # After the seq: its row lock on the channel makes a deletion of the root wait or be
        # seen, so no reply goes into a thread deleted since it was checked.
        root = await tx.load_message(thread_id)
        if root is None or root.deleted_at is not None:
            raise Invalid(DELETED)
    message_id = await tx.insert_message(
        channel_id=channel_id,
        author_id=author_id,
        thread_id=thread_id,
        kind=kind,
        body=body,
        html=html,
        client_id=client_id,
        seq=seq,
        now=now,
        notice=notice,
    )
    if thread_id is not None:
        await tx.recount_thread(thread_id, seq=await tx.next_seq(channel_id))
    notified = await notifications.record_message(
        tx,
        message_id=message_id,
        channel_id=channel_id,
        author_id=author_id,
        kind=kind,
        thread_id=thread_id,
        mentions=mentions,
        now=now,
        channel_kind=channel_kind,
    )
    return Added(message_id, seq, notified)


T = TypeVar("T")


@dataclass(frozen=True)
class NewMessage:
    """A post checked and rendered, ready to be written by `do_post`."""

    channel_id: int
    thread_id: int | None
    kind: str
    body: str
    html: str
    client_id: str | None
    mentions: tuple[int, ...] = ()
    attachments: tuple[str, ...] = ()  # file ids, in order
    channel_kind: str | None = None


async def post_message(
    store: Store, user: User, payload: Any, *, kind: str = "text", clock: Clock = SYSTEM_CLOCK
) -> Changed:
    """`payload`: {channel_id, body, client_id?, thread_id?, attachments?}.  The same client_id
    from the same author returns the first message and posts nothing."""
    new = await check_post(store, user, payload, kind=kind)
    changed, _ = await do_post(store, user, new, now=iso(clock.now()))
    return changed


async def check_post(
    store: Store, user: User, payload: Any, *, kind: str = "text", what: str = N_("A message")
) -> NewMessage:
    """Everything a post can get wrong, checked before anything is written; `what` names it
    in the errors ("An announcement")."""
    payload = check_object(payload)
    channel_id = check_id(payload, "channel_id")
    attachments = check_attachments(payload)
    # A message may be files alone; then its text may be empty.
    body = check_text(
        payload, "body", max_length=MAX_BODY, what=what, allow_empty=bool(attachments),
        optional=bool(attachments),
    ) or ""  # fmt: skip
    client_id = check_text(payload, "client_id", max_length=MAX_CLIENT_ID, optional=True)
    thread_id = check_id(payload, "thread_id", optional=True)

    channel = await check_allowed(
        store, user, channel_id, Action.REPLY if thread_id else Action.POST
    )
    if thread_id is not None:
        root = await store.load_message(thread_id)
        if root is None or root.channel_id != channel_id:  # one answer, wherever it is
            raise NotFound(NO_THREAD)
        if root.thread_id is not None:
            raise Invalid(N_("You can reply to a message, not to a reply."))
        if root.deleted_at is not None:
            raise Invalid(DELETED)
    # A retry of a send with files (the same client_id) finds them attached by the first:
    # do_post then returns that first message.
    if attachments and not (
        client_id and await store.load_message_by_client_id(user.id, client_id)
    ):
        await check_own_uploads(store, user, attachments)

    assert body is not None and channel_id is not None
    mentioned = await check_mentions(store, channel, body)
    html = render_markdown(body, names(mentioned)) if body.strip() else ""
    return NewMessage(
        channel_id,
        thread_id,
        kind,
        body,
        html,
        client_id,
        tuple(mentioned),
        attachments,
        channel.kind,
    )


async def do_post(
    store: Store,
    user: User,
    new: NewMessage,
    *,
    now: str,
    also: Callable[[Tx, int], Awaitable[T]] | None = None,
    counted: bool = True,
) -> tuple[Changed, T | None]:
    """Write a checked post in one transaction, with `also(tx, message_id)` (more writes that
    stand or fall with the post, such as an announcement's mails) and its result.  The same
    client_id from the same author again writes nothing, runs nothing more, and returns the
    first message with `created` False.  The post counts in the usage record as a message (or
    a thread reply) in its channel's kind, unless `counted` is False (a goal's card: `also`
    counts it as what it is)."""

    async def write(tx: Tx) -> tuple[Added, T | None]:
        added = await add_message(
            tx,
            channel_id=new.channel_id,
            author_id=user.id,
            kind=new.kind,
            body=new.body,
            html=new.html,
            now=now,
            thread_id=new.thread_id,
            client_id=new.client_id,
            mentions=new.mentions,
            channel_kind=new.channel_kind,
        )
        await attach_uploads(tx, user, added.id, new.attachments, now=now)
        if counted and new.kind == "text":
            prefix = "reply." if new.thread_id is not None else "message."
            await tx.add_use(user.id, prefix, week_of(now), channel_id=new.channel_id)
        return added, None if also is None else await also(tx, added.id)

    try:
        added, extra = await store.write(write)
    except storage.IntegrityError:
        # This author sent this client_id before (a retry after a lost ACK, or a race between
        # two connections): the unique index refused the copy; return the first message.
        earlier = new.client_id and await store.load_message_by_client_id(user.id, new.client_id)
        if not earlier:
            raise
        return Changed(earlier, [], created=False), None
    message_id, seq = added.id, added.seq
    message = Message(
        id=message_id,
        channel_id=new.channel_id,
        author_id=user.id,
        author_name=user.name,
        thread_id=new.thread_id,
        kind=new.kind,
        body=new.body,
        html=new.html,
        client_id=new.client_id,
        created_seq=seq,
        seq=seq,
        created_at=now,
        edited_at=None,
        deleted_at=None,
        reply_count=0,
        last_reply_at=None,
        notified=added.notified,
    )
    if new.attachments:  # with its files, in their order
        message = replace(await _load_message(store, message_id), notified=added.notified)
    changes = [message]
    if new.thread_id is not None:
        changes.append(await _load_message(store, new.thread_id))
    return Changed(message, changes, created=True), extra


async def _check_own_or_moderator(
    store: Store, user: User, message: Message, own: Action
) -> Channel:
    channel_id = message.channel_id
    if message.author_id == user.id:
        return await check_allowed(store, user, channel_id, own, missing=NO_MESSAGE)
    if own is Action.EDIT_OWN:
        await check_allowed(store, user, channel_id, Action.READ, missing=NO_MESSAGE)
        raise Forbidden(N_("You can only edit your own messages."))
    return await check_allowed(store, user, channel_id, Action.MODERATE, missing=NO_MESSAGE)


async def edit_message(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Changed:
    """`payload`: {message_id, body}."""
    payload = check_object(payload)
    message_id = check_id(payload, "message_id")
    body = check_text(payload, "body", max_length=MAX_BODY, what=N_("A message"))
    message = await _load_message(store, message_id)
    channel = await _check_own_or_moderator(store, user, message, Action.EDIT_OWN)
    if message.kind != "text":
        raise Invalid(N_("Only ordinary messages can be edited."))
    if message.goal is not None:
        raise Invalid(GOAL_CARD)
    mentioned = await check_mentions(store, channel, body)
    html = render_markdown(body, names(mentioned))

    async def update(tx: Tx) -> None:
        # The seq first: its row lock on the channel makes a deletion wait or be seen, so a
        # deleted message never gets its words back.
        seq = await tx.next_seq(message.channel_id)
        if (await _load_message(tx, message.id)).deleted_at is not None:
            raise Invalid(DELETED)
        await tx.insert_mentions(message.id, list(mentioned))
        await tx.update_message_body(
            message.id, body=body, html=html, seq=seq, now=iso(clock.now())
        )

    await store.write(update)
    edited = await _load_message(store, message.id)
    return Changed(edited, [edited])


async def delete_message(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Changed:
    """`payload`: {message_id}.  Authors delete their own; moderators anyone's."""
    payload = check_object(payload)
    message = await _load_message(store, check_id(payload, "message_id"))
    await _check_own_or_moderator(store, user, message, Action.DELETE_OWN)
    if message.deleted_at is not None:
        return Changed(message, [])
    if message.goal is not None:
        raise Invalid(GOAL_CARD)

    async def delete(tx: Tx) -> list[str]:
        seq = await tx.next_seq(message.channel_id)
        await tx.mark_message_deleted(message.id, seq=seq, now=iso(clock.now()))
        if message.thread_id is not None:
            await tx.recount_thread(message.thread_id, seq=await tx.next_seq(message.channel_id))
        return await tx.detach_message_files(message.id)  # access ends with the message

    released = await store.write(delete)
    deleted = await _load_message(store, message.id)
    changes = [deleted]
    if message.thread_id is not None:
        changes.append(await _load_message(store, message.thread_id))
    return Changed(deleted, changes, released=tuple(released))


# What an emoji is made of: pictographs and symbols (So), skin-tone modifiers (Sk), variation
# selectors and keycap marks (Mn, Me), joined by ZERO WIDTH JOINER; keycaps start with #, * or a digit.
_EMOJI_PARTS = {"So", "Sk", "Mn", "Me"}
_ZWJ = "\u200d"


def check_emoji(value: Any) -> str:
    """One emoji (possibly a ZWJ sequence, a flag or a keycap), or a `:shortcode:`."""
    if isinstance(value, str) and 0 < len(value) <= MAX_EMOJI:
        if value.isascii():
            name = value[1:-1]
            if value[0] == value[-1] == ":" and name and name.replace("_", "").isalnum():
                return value
        elif (
            any(unicodedata.category(ch) == "So" for ch in value) or value[-1] == "\u20e3"
        ) and all(
            unicodedata.category(ch) in _EMOJI_PARTS
            or ch == _ZWJ
            or (i == 0 and ch in "#*0123456789")
            for i, ch in enumerate(value)
        ):
            return value
    raise Invalid(N_("A reaction is one emoji."))


def _check_reaction(message: Message, emoji: str) -> None:
    """The reaction may be toggled: the message is not deleted, and a new kind keeps it
    within the limit of kinds."""
    if message.deleted_at is not None:
        raise Invalid(DELETED)
    already = {reaction.emoji for reaction in message.reactions}
    if emoji not in already and len(already) >= MAX_REACTION_KINDS:
        raise Invalid(
            N_("A message can have at most %(max_reaction_kinds)s different reactions."),
            max_reaction_kinds=MAX_REACTION_KINDS,
        )


async def toggle_reaction(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Changed:
    """`payload`: {message_id, emoji}.  Adds the reaction, or takes it back."""
    payload = check_object(payload)
    message_id = check_id(payload, "message_id")
    emoji = check_emoji(payload.get("emoji"))
    message, _ = await check_message_allowed(store, user, message_id, Action.REACT)

    async def toggle(tx: Tx) -> None:
        now = iso(clock.now())
        # The seq first: its row lock on the channel makes every change to the message take
        # turns, so the message checked here is the one written (two toggles of one reaction,
        # two new kinds at once against the limit, a deletion meanwhile).
        seq = await tx.next_seq(message.channel_id)
        _check_reaction(await _load_message(tx, message.id), emoji)
        if await tx.toggle_reaction(message.id, user.id, emoji, now):
            await count_use(tx, user.id, "reaction", now)
        await tx.touch_message(message.id, seq=seq)

    await store.write(toggle)
    changed = await _load_message(store, message.id)
    return Changed(changed, [changed])


@dataclass(frozen=True)
class Page:
    messages: list[Message]
    more: bool
    last_seq: int = 0


async def sync_channel(store: Store, user: User, payload: Any) -> Page:
    """`payload`: {channel_id, since_seq}.  Every message changed after since_seq, once, in its
    latest state, in seq order.  `last_seq` is where to sync from next; `more` says to ask again."""
    payload = check_object(payload)
    channel_id = check_id(payload, "channel_id")
    since_seq = check_count(payload, "since_seq", default=0, low=0, high=2**53)
    # Read the channel's counter *before* the changes, so last_seq can never skip past a
    # change this page did not include.
    channel = await check_allowed(store, user, channel_id, Action.READ)
    changes = await store.list_changes(channel_id, since_seq, SYNC_PAGE + 1)
    more = len(changes) > SYNC_PAGE
    changes = changes[:SYNC_PAGE]
    if more:
        last_seq = changes[-1].seq
    else:
        last_seq = max([channel.last_seq, since_seq, *(m.seq for m in changes)])
    return Page(changes, more, last_seq)


async def load_history(store: Store, user: User, payload: Any) -> Page:
    """`payload`: {channel_id, before_id?, limit?}.  Top-level messages, oldest first."""
    payload = check_object(payload)
    channel_id = check_id(payload, "channel_id")
    before_id = check_id(payload, "before_id", optional=True)
    limit = check_count(payload, "limit", default=HISTORY_PAGE, low=1, high=HISTORY_PAGE_MAX)
    channel = await check_allowed(store, user, channel_id, Action.READ)
    messages = await store.list_history(channel_id, before_id=before_id, limit=limit + 1)
    more = len(messages) > limit
    return Page(messages[-limit:], more, channel.last_seq)


async def load_thread(store: Store, user: User, payload: Any) -> Page:
    """`payload`: {message_id} of a top-level message: it and its replies, oldest first."""
    payload = check_object(payload)
    root, channel = await check_message_allowed(
        store, user, check_id(payload, "message_id"), Action.READ
    )
    if root.thread_id is not None:
        raise Invalid(N_("That message is a reply; open its thread instead."))
    return Page(await store.list_thread(root.id), False, channel.last_seq)


@dataclass(frozen=True)
class ReadPosition:
    channel_id: int
    last_read_seq: int


async def mark_read(
    store: Store, user: User, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> ReadPosition:
    """`payload`: {channel_id, seq}: the user has read the channel up to seq (and so what it
    notified them of up to there)."""
    payload = check_object(payload)
    channel_id = check_id(payload, "channel_id")
    seq = check_count(payload, "seq", default=0, low=0, high=2**53)
    channel = await check_allowed(store, user, channel_id, Action.READ)

    async def advance(tx: Tx) -> int:
        position = await tx.advance_read_seq(user.id, channel_id, min(seq, channel.last_seq))
        await notifications.mark_channel_read(tx, user.id, channel_id, position, iso(clock.now()))
        return position

    return ReadPosition(channel_id, await store.write(advance))
