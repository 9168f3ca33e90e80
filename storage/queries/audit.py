"""The audit log of coordinator actions."""

from __future__ import annotations

import sqlite3

from ..records import AuditEntry
from .base import QueryBase, record


def _entry(row: sqlite3.Row) -> AuditEntry:
    return record(AuditEntry, row)


class AuditQueries(QueryBase):
    async def insert_audit(
        self,
        *,
        actor_id: int | None,
        actor_name: str,
        action: str,
        target_type: str,
        target_id: int | None,
        summary: str,
        summary_words: str | None = None,
        now: str,
    ) -> None:
        await self._all(
            "INSERT INTO audit_log (actor_id, actor_name, action, target_type, target_id,"
            " summary, summary_words, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (actor_id, actor_name, action, target_type, target_id, summary, summary_words, now),
        )

    async def list_migrations(self) -> list[str]:
        """The migrations applied, by file name, in order: the same on every engine."""
        rows = await self._all("SELECT name FROM schema_migrations ORDER BY version")
        return [row["name"] for row in rows]

    async def list_audit(
        self, *, before_id: int | None = None, limit: int | None = None, action: str | None = None
    ) -> list[AuditEntry]:
        """Newest first; `limit` None for all (the CSV export)."""
        rows = await self._all(
            "SELECT * FROM audit_log WHERE id < :before AND (:action IS NULL OR action = :action)"
            " ORDER BY id DESC LIMIT :limit",
            {
                "before": before_id if before_id is not None else 2**62,
                "action": action,
                "limit": limit if limit is not None else 2**62,  # no limit, in both dialects
            },
        )
        return [_entry(row) for row in rows]
