"""The audit log of what coordinators did.

Every coordinator action writes its audit entry inside the same transaction as the change,
so the log can never miss an action that happened nor record one that did not.
"""

from __future__ import annotations

from channels.policy import Actor, check_coordinator
from channels.spreadsheet import csv_text
from storage import Store, Tx
from storage.records import AuditEntry, User

AUDIT_PAGE = 100


async def record_action(
    tx: Tx,
    actor: Actor,
    action: str,
    *,
    target_type: str,
    target_id: int | None,
    summary: str,
    now: str,
) -> None:
    await tx.insert_audit(
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=summary,
        now=now,
    )


async def list_audit(
    store: Store, user: User, *, before_id: int | None = None, limit: int = AUDIT_PAGE
) -> list[AuditEntry]:
    check_coordinator(user)
    return await store.list_audit(before_id=before_id, limit=limit)


AUDIT_COLUMNS = ["id", "time", "who", "who_id", "action", "target_type", "target_id", "summary"]


async def export_audit_csv(store: Store, user: User) -> str:
    check_coordinator(user)
    entries = await store.list_audit()
    return csv_text(
        AUDIT_COLUMNS,
        (
            (e.id, e.created_at, e.actor_name, e.actor_id, e.action, e.target_type, e.target_id,
             e.summary)
            for e in reversed(entries)  # oldest first, as a log reads
        ),
    )  # fmt: skip
