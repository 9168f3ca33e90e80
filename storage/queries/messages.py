"""Messages, thread counters and reactions.  Every statement that changes a message also
stamps it with the `seq` the caller took from `next_seq`."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

from ..records import Message, Reaction
from .base import QueryBase, json_list, record
from .files import attachments_of
from .goals import goal_cards
from .library import resource_cards
from .questionnaires import questionnaire_cards
from .tasks import task_states

_SELECT = (
    "SELECT m.*, u.name AS author_name, mr.resource_id, mg.goal_id FROM messages m"
    " LEFT JOIN users u ON u.id = m.author_id"
    " LEFT JOIN message_resources mr ON mr.message_id = m.id"
    " LEFT JOIN message_goals mg ON mg.message_id = m.id"
)


def _message(row: sqlite3.Row) -> Message:
    return record(Message, row)


class MessageQueries(QueryBase):
    async def _with_reactions(self, rows: list[sqlite3.Row]) -> list[Message]:
        messages = [_message(row) for row in rows]
        if not messages:
            return messages
        reaction_rows = await self._all(
            "SELECT message_id, emoji, json_group_array(user_id) AS user_ids FROM"
            " (SELECT * FROM reactions WHERE message_id IN (SELECT value FROM json_each(?))"
            "  ORDER BY created_at, user_id) AS r"
            " GROUP BY message_id, emoji ORDER BY min(created_at), emoji",
            (json_list(m.id for m in messages),),
        )
        by_message: dict[int, list[Reaction]] = {}
        for row in reaction_rows:
            by_message.setdefault(row["message_id"], []).append(
                Reaction(row["emoji"], tuple(json.loads(row["user_ids"])))
            )
        tasks = await task_states(self, [m.id for m in messages if m.kind == "task"])
        cards = await resource_cards(self, [row["id"] for row in rows if row["resource_id"]])
        goals = await goal_cards(self, [row["id"] for row in rows if row["goal_id"]])
        questionnaires = await questionnaire_cards(
            self, [m.id for m in messages if m.kind == "questionnaire"]
        )
        files = await attachments_of(self, [m.id for m in messages if m.deleted_at is None])
        return [
            replace(
                m,
                reactions=tuple(by_message.get(m.id, ())),
                task=tasks.get(m.id),
                resource=cards.get(m.id),
                goal=goals.get(m.id),
                questionnaire=questionnaires.get(m.id),
                attachments=files.get(m.id, ()),
            )
            for m in messages
        ]

    async def insert_message(
        self,
        *,
        channel_id: int,
        author_id: int | None,
        thread_id: int | None,
        kind: str,
        body: str,
        html: str,
        client_id: str | None,
        seq: int,
        now: str,
        notice: str | None = None,
    ) -> int:
        return await self._value(
            "INSERT INTO messages (channel_id, author_id, thread_id, kind, body, html, client_id,"
            " created_seq, seq, created_at, notice)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (channel_id, author_id, thread_id, kind, body, html, client_id, seq, seq, now, notice),
        )

    async def load_message(self, message_id: int) -> Message | None:
        rows = await self._all(f"{_SELECT} WHERE m.id = ?", (message_id,))
        found = await self._with_reactions(rows)
        return found[0] if found else None

    async def load_messages(self, message_ids: list[int]) -> list[Message]:
        """These messages, in id order (one query for all)."""
        rows = await self._all(
            f"{_SELECT} WHERE m.id IN (SELECT value FROM json_each(?)) ORDER BY m.id",
            (json_list(message_ids),),
        )
        return await self._with_reactions(rows)

    async def load_message_by_client_id(self, author_id: int, client_id: str) -> Message | None:
        rows = await self._all(
            f"{_SELECT} WHERE m.author_id = ? AND m.client_id = ?", (author_id, client_id)
        )
        found = await self._with_reactions(rows)
        return found[0] if found else None

    async def update_message_body(
        self, message_id: int, *, body: str, html: str, seq: int, now: str
    ) -> None:
        await self._all(
            "UPDATE messages SET body = ?, html = ?, seq = ?, edited_at = ? WHERE id = ?",
            (body, html, seq, now, message_id),
        )

    async def mark_message_deleted(self, message_id: int, *, seq: int, now: str) -> None:
        """Delete the content for good; keep a tombstone so clients can sync the deletion."""
        await self._all(
            "UPDATE messages SET body = '', html = '', seq = ?, deleted_at = ? WHERE id = ?",
            (seq, now, message_id),
        )
        await self._all("DELETE FROM reactions WHERE message_id = ?", (message_id,))

    async def recount_thread(self, root_id: int, *, seq: int) -> None:
        """Refresh a root's reply count and last reply time, and stamp it with `seq`."""
        await self._all(
            "UPDATE messages SET seq = ?,"
            " reply_count = (SELECT count(*) FROM messages r"
            "                 WHERE r.thread_id = messages.id AND r.deleted_at IS NULL),"
            " last_reply_at = (SELECT max(r.created_at) FROM messages r"
            "                   WHERE r.thread_id = messages.id AND r.deleted_at IS NULL)"
            " WHERE id = ?",
            (seq, root_id),
        )

    async def touch_message(self, message_id: int, *, seq: int) -> None:
        await self._all("UPDATE messages SET seq = ? WHERE id = ?", (seq, message_id))

    async def toggle_reaction(self, message_id: int, user_id: int, emoji: str, now: str) -> bool:
        """Add the reaction, or remove it if present; return whether it is now there."""
        removed = await self._all(
            "DELETE FROM reactions WHERE message_id = ? AND user_id = ? AND emoji = ? RETURNING 1",
            (message_id, user_id, emoji),
        )
        if removed:
            return False
        await self._all(
            "INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)",
            (message_id, user_id, emoji, now),
        )
        return True

    async def list_changes(self, channel_id: int, since_seq: int, limit: int) -> list[Message]:
        """Messages changed after `since_seq`, each once in its latest state, in seq order."""
        rows = await self._all(
            f"{_SELECT} WHERE m.channel_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?",
            (channel_id, since_seq, limit),
        )
        return await self._with_reactions(rows)

    async def list_history(
        self, channel_id: int, *, before_id: int | None, limit: int
    ) -> list[Message]:
        """The latest top-level messages (before `before_id` if given), oldest first."""
        rows = await self._all(
            f"{_SELECT} WHERE m.channel_id = ? AND m.thread_id IS NULL AND m.id < ?"
            " ORDER BY m.id DESC LIMIT ?",
            (channel_id, before_id if before_id is not None else 2**62, limit),
        )
        return await self._with_reactions(rows[::-1])

    async def list_thread(self, root_id: int) -> list[Message]:
        """The root and its replies, oldest first."""
        rows = await self._all(
            f"{_SELECT} WHERE m.id = ? OR m.thread_id = ? ORDER BY m.id", (root_id, root_id)
        )
        return await self._with_reactions(rows)

    async def count_messages(self, channel_id: int | None = None) -> int:
        return await self._value(
            "SELECT count(*) FROM messages WHERE channel_id = coalesce(:channel, channel_id)",
            {"channel": channel_id},
        )
