"""Feedback: a message in a coordinator line with a category and a status."""

from __future__ import annotations

from ..records import Feedback
from .base import QueryBase, record

_LISTED = """
    SELECT f.*, u.name AS user_name, u.role AS user_role
    FROM feedback f JOIN users u ON u.id = f.user_id
"""


class FeedbackQueries(QueryBase):
    async def list_feedback(self, *, status: str | None, limit: int) -> list[Feedback]:
        """Newest first; of one status, or all."""
        rows = await self._all(
            _LISTED
            + " WHERE :status IS NULL OR f.status = :status ORDER BY f.id DESC LIMIT :limit",
            {"status": status, "limit": limit},
        )
        return [record(Feedback, row) for row in rows]

    async def load_feedback(self, feedback_id: int) -> Feedback | None:
        row = await self._one(_LISTED + " WHERE f.id = ?", (feedback_id,))
        return None if row is None else record(Feedback, row)

    async def list_answer_seconds(self, since: str) -> list[float]:
        """How long each piece of feedback since `since` waited for a coordinator's answer."""
        rows = await self._all(
            "SELECT (julianday(answered_at) - julianday(created_at)) * 86400 FROM feedback"
            " WHERE created_at >= ? AND answered_at IS NOT NULL ORDER BY 1",
            (since,),
        )
        return [row[0] for row in rows]

    async def insert_feedback(
        self, *, user_id: int, channel_id: int, message_id: int, category: str, now: str
    ) -> int:
        row = await self._one(
            "INSERT INTO feedback (user_id, channel_id, message_id, category, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            (user_id, channel_id, message_id, category, now),
        )
        assert row is not None
        return row[0]

    async def mark_feedback_answered(self, channel_id: int, now: str) -> None:
        """A coordinator wrote in the line: what waited there has its answer."""
        await self._all(
            "UPDATE feedback SET answered_at = :now,"
            " status = CASE WHEN status = 'new' THEN 'answered' ELSE status END"
            " WHERE channel_id = :channel AND answered_at IS NULL",
            {"now": now, "channel": channel_id},
        )

    async def set_feedback_status(self, feedback_id: int, status: str, now: str) -> None:
        await self._all(
            "UPDATE feedback SET status = :status,"
            " closed_at = CASE WHEN :status = 'closed' THEN :now END WHERE id = :id",
            {"status": status, "now": now, "id": feedback_id},
        )
