"""The mail outbox: written with the action that causes a mail, drained by the sender."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from ..dialect import differs
from ..records import OutgoingMail
from .base import QueryBase, record


def _mail(row: sqlite3.Row) -> OutgoingMail:
    return record(OutgoingMail, row)


_PENDING = "sent_at IS NULL AND failed_at IS NULL"


class OutboxQueries(QueryBase):
    async def enqueue_mail(self, mails: Iterable[tuple[str, str, str]], now: str) -> int:
        """Queue (recipient, subject, message) mails in one statement; return how many."""
        batch = [
            {"to": to, "subject": subject, "message": message} for to, subject, message in mails
        ]
        if not batch:
            return 0
        await self._all(
            "INSERT INTO outbox (recipient, subject, message, created_at, next_attempt_at)"
            " SELECT value ->> 'to', value ->> 'subject', value ->> 'message', :now, :now"
            " FROM json_each(:batch)",
            {"now": now, "batch": json.dumps(batch)},
        )
        return len(batch)

    async def claim_due_mail(self, *, now: str, lease_until: str, limit: int) -> list[OutgoingMail]:
        """Take mails that are due and not being sent by anyone else, for a while."""
        due = (
            f"SELECT id FROM outbox WHERE {_PENDING} AND next_attempt_at <= :now"
            "  AND (claimed_until IS NULL OR claimed_until <= :now) ORDER BY id LIMIT :limit"
        )
        rows = await self._all(
            # SQLite has one writer at a time.  PostgreSQL runs the writers of several nodes at
            # once, and an UPDATE that waited for a row does not look for its ids again: the
            # rows are locked as they are chosen, and those another sender holds are skipped.
            differs(
                f"UPDATE outbox SET claimed_until = :lease WHERE id IN ({due}) RETURNING *",
                postgres=f"UPDATE outbox SET claimed_until = :lease WHERE id IN ({due}"
                " FOR UPDATE SKIP LOCKED) RETURNING *",
            ),
            {"now": now, "lease": lease_until, "limit": limit},
        )
        return sorted((_mail(row) for row in rows), key=lambda mail: mail.id)

    async def mark_mail_sent(self, mail_id: int, now: str) -> None:
        await self._all(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, claimed_until = NULL,"
            " last_error = NULL WHERE id = ?",
            (now, mail_id),
        )

    async def mark_mail_failed(
        self, mail_id: int, *, error: str, now: str, retry_at: str | None
    ) -> None:
        """Record a failed attempt: try again at `retry_at`, or give up if it is None."""
        await self._all(
            "UPDATE outbox SET attempts = attempts + 1, claimed_until = NULL, last_error = :error,"
            " next_attempt_at = coalesce(:retry, next_attempt_at),"
            " failed_at = CASE WHEN :retry IS NULL THEN :now END WHERE id = :mail",
            {"error": error, "retry": retry_at, "now": now, "mail": mail_id},
        )

    async def release_mail(self, mail_ids: list[int]) -> None:
        """Hand claimed mails back untried (the sender is stopping)."""
        await self._all(
            "UPDATE outbox SET claimed_until = NULL WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(mail_ids),),
        )

    async def next_mail_due_at(self) -> str | None:
        return await self._value(
            "SELECT min(CASE WHEN claimed_until > next_attempt_at THEN claimed_until"
            f" ELSE next_attempt_at END) FROM outbox"
            f" WHERE {_PENDING}"
        )

    async def list_mail(
        self, *, limit: int, unsent_only: bool = False, failed_only: bool = False
    ) -> list[OutgoingMail]:
        """Newest first: all mail; `unsent_only`, what is waiting or given up on; `failed_only`,
        what was given up on."""
        rows = await self._all(
            f"SELECT * FROM outbox WHERE (:unsent = 0 OR ({_PENDING} OR failed_at IS NOT NULL))"
            f" AND (:failed = 0 OR failed_at IS NOT NULL) ORDER BY id DESC LIMIT :limit",
            {"unsent": int(unsent_only), "failed": int(failed_only), "limit": limit},
        )
        return [_mail(row) for row in rows]

    async def count_mail(self) -> dict[str, int]:
        row = await self._one(
            f"SELECT count(*) FILTER (WHERE {_PENDING}) AS pending,"
            " count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent,"
            " count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed FROM outbox"
        )
        assert row is not None
        return {"pending": row["pending"], "sent": row["sent"], "failed": row["failed"]}
