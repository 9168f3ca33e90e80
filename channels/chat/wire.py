"""How domain records look on the wire (JSON for HTTP and socket.io alike)."""

from __future__ import annotations

from typing import Any

from channels.chat.directory import Listing
from channels.chat.messages import Page, ReadPosition
from channels.chat.notices import notice_json
from channels.files.wire import attachment_json
from channels.goals.wire import goal_json
from channels.library.wire import resource_card_json
from channels.questionnaires.wire import card_json
from storage.records import Channel, ChannelSummary, Message, TaskState, User


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel_id": message.channel_id,
        "seq": message.seq,
        # The seq it was created at: equal to `seq` only for a message that is new, not changed.
        "created_seq": message.created_seq,
        "thread_id": message.thread_id,
        "kind": message.kind,
        "author": None
        if message.author_id is None
        else {"id": message.author_id, "name": message.author_name},
        "body": message.body,
        "html": message.html,
        "client_id": message.client_id,
        "created_at": message.created_at,
        "edited_at": message.edited_at,
        "deleted": message.deleted_at is not None,
        "reply_count": message.reply_count,
        "last_reply_at": message.last_reply_at,
        "reactions": [
            {"emoji": r.emoji, "count": len(r.user_ids), "user_ids": list(r.user_ids)}
            for r in message.reactions
        ],
        "task": None if message.task is None else task_state_json(message.task),
        "resource": None if message.resource is None else resource_card_json(message.resource),
        # A goal's card (its words: the pair's own, as the channel is).
        "goal": None if message.goal is None else goal_json(message.goal),
        "questionnaire": None
        if message.questionnaire is None
        else card_json(message.questionnaire),
        "attachments": [attachment_json(upload) for upload in message.attachments],
        # The programme's own words (kind 'system') in every language: the reader picks theirs.
        "notice": notice_json(message),
    }


def history_json(page: Page) -> dict[str, Any]:
    """A page of a channel's history (top-level messages, oldest first)."""
    return {
        "messages": [message_json(m) for m in page.messages],
        "more": page.more,
        "last_seq": page.last_seq,
    }


def changes_json(page: Page) -> dict[str, Any]:
    """The changes since a seq: each changed message once, in seq order."""
    return {
        "changes": [message_json(m) for m in page.messages],
        "last_seq": page.last_seq,
        "more": page.more,
    }


def thread_json(page: Page) -> dict[str, Any]:
    """A thread: its root message and the replies, oldest first."""
    root, *replies = page.messages
    return {
        "root": message_json(root),
        "replies": [message_json(m) for m in replies],
        "last_seq": page.last_seq,
    }


def read_position_json(position: ReadPosition) -> dict[str, Any]:
    return {"channel_id": position.channel_id, "last_read_seq": position.last_read_seq}


def task_state_json(task: TaskState) -> dict[str, Any]:
    """The card of a task message: its title, due date and whether (and by whom) it is done."""
    return {
        "title": task.title,
        "due_at": task.due_at,
        "late": task.late,
        "done": task.done_at is not None,
        "done_at": task.done_at,
        "done_by": None
        if task.done_by_id is None
        else {"id": task.done_by_id, "name": task.done_by_name},
    }


def channel_json(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "kind": channel.kind,
        "name": channel.name,
        "topic": channel.topic,
        "last_seq": channel.last_seq,
        "read_only": channel.archived,
    }


def channel_summary_json(summary: ChannelSummary, partner: User | None = None) -> dict[str, Any]:
    return {
        **channel_json(summary.channel),
        "is_member": summary.is_member,
        "last_read_seq": summary.last_read_seq,
        "unread": summary.unread,
        "partner": None if partner is None else {"id": partner.id, "name": partner.name},
    }


def channel_listing_json(listing: Listing) -> dict[str, Any]:
    """A channel in the user's list: a pair channel's partner says whether they are online."""
    item = channel_summary_json(listing.summary, listing.partner)
    if item["partner"] is not None:
        item["partner"]["online"] = listing.partner_online
    return item


def user_json(user: User, *, private: bool = False) -> dict[str, Any]:
    public = {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "expertise": user.expertise,
        "bio": user.bio,
    }
    if private:
        public |= {"email": user.email, "disabled": user.disabled, "language": user.language}
    return public
