"""The rows of programme administration: links, mail, the audit log, the menu, activity."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccountToken:
    token_hash: str
    user_id: int
    purpose: str  # 'invitation', 'reset' or 'email' (confirms a new address)
    created_at: str
    expires_at: str
    used_at: str | None
    new_email: str | None = None  # for 'email': the address it confirms


@dataclass(frozen=True)
class OutgoingMail:
    id: int
    recipient: str
    subject: str
    message: str
    created_at: str
    attempts: int
    next_attempt_at: str
    sent_at: str | None
    failed_at: str | None
    last_error: str | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: int | None
    summary: str
    created_at: str


@dataclass(frozen=True)
class MenuItem:
    item: str  # a built-in item, or 'link'
    label: str
    url: str | None
    visible: bool


@dataclass(frozen=True)
class PairActivity:
    """How active a pair is, as numbers only: never what was said."""

    pair_id: int
    messages_total: int
    weekly: tuple[int, ...]  # messages in each of the last weeks, this week first
    last_activity_at: str | None


@dataclass(frozen=True)
class CommunityListing:
    channel_id: int
    name: str
    topic: str
    archived: bool
    member_count: int
    is_member: bool
