"""The rows storage hands upward: plain frozen dataclasses, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    password_hash: str | None
    expertise: str
    bio: str
    disabled: bool
    created_at: str


@dataclass(frozen=True)
class Session:
    token_hash: str
    user_id: int
    created_at: str
    expires_at: str


@dataclass(frozen=True)
class Channel:
    id: int
    kind: str
    name: str
    topic: str
    last_seq: int
    archived: bool
    created_at: str


@dataclass(frozen=True)
class ChannelSummary:
    """A channel as one user sees it in a list: with their unread count and read position."""

    channel: Channel
    is_member: bool
    last_read_seq: int
    unread: int
    partner_id: int | None = None  # the other person, for a pair channel


@dataclass(frozen=True)
class Pair:
    id: int
    mentor_id: int
    mentee_id: int
    channel_id: int
    started_at: str
    ended_at: str | None


@dataclass(frozen=True)
class Reaction:
    emoji: str
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class Message:
    id: int
    channel_id: int
    author_id: int | None
    author_name: str | None
    thread_id: int | None
    kind: str
    body: str
    html: str
    client_id: str | None
    created_seq: int
    seq: int
    created_at: str
    edited_at: str | None
    deleted_at: str | None
    reply_count: int
    last_reply_at: str | None
    reactions: tuple[Reaction, ...] = field(default=())
