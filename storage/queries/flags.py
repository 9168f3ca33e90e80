"""Reported messages: a copy of one message, the reporter's note, and a status."""

from __future__ import annotations

import sqlite3

from ..records import MessageFlag
from .base import QueryBase, record

_LISTED = """
    SELECT f.*, r.name AS reporter_name, r.role AS reporter_role,
           a.role AS author_role, coalesce(a.disabled, 0) AS author_disabled,
           lm.channel_id AS line_channel_id, p.id AS pair_id, p.ended_at AS pair_ended_at
    FROM message_flags f
    JOIN users r ON r.id = f.reporter_id
    JOIN messages lm ON lm.id = f.line_message_id
    LEFT JOIN users a ON a.id = f.author_id
    LEFT JOIN pairs p ON p.channel_id = f.channel_id
"""


def _flag(row: sqlite3.Row) -> MessageFlag:
    return record(MessageFlag, row, author_disabled=bool(row["author_disabled"]))


class FlagQueries(QueryBase):
    async def list_flags(self, *, status: str | None, limit: int) -> list[MessageFlag]:
        """Newest first; of one status, or all."""
        rows = await self._all(
            _LISTED
            + " WHERE :status IS NULL OR f.status = :status ORDER BY f.id DESC LIMIT :limit",
            {"status": status, "limit": limit},
        )
        return [_flag(row) for row in rows]

    async def load_flag(self, flag_id: int) -> MessageFlag | None:
        row = await self._one(_LISTED + " WHERE f.id = ?", (flag_id,))
        return None if row is None else _flag(row)

    async def load_flag_of(self, reporter_id: int, message_id: int) -> MessageFlag | None:
        """The person's report of that message, if they made one."""
        row = await self._one(
            _LISTED + " WHERE f.reporter_id = ? AND f.message_id = ?", (reporter_id, message_id)
        )
        return None if row is None else _flag(row)

    async def insert_flag(
        self,
        *,
        reporter_id: int,
        message_id: int,
        channel_id: int,
        channel_kind: str,
        channel_name: str,
        author_id: int,
        author_name: str,
        body: str,
        html: str,
        written_at: str,
        note: str,
        line_message_id: int,
        now: str,
    ) -> int:
        row = await self._one(
            "INSERT INTO message_flags (reporter_id, message_id, channel_id, channel_kind,"
            " channel_name, author_id, author_name, body, html, written_at, note,"
            " line_message_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                reporter_id,
                message_id,
                channel_id,
                channel_kind,
                channel_name,
                author_id,
                author_name,
                body,
                html,
                written_at,
                note,
                line_message_id,
                now,
            ),
        )
        assert row is not None
        return row[0]

    async def set_flag_status(self, flag_id: int, status: str, now: str) -> None:
        await self._all(
            "UPDATE message_flags SET status = :status,"
            " handled_at = CASE WHEN :status = 'handled' THEN :now END WHERE id = :id",
            {"status": status, "now": now, "id": flag_id},
        )
