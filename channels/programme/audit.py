"""The audit log of what coordinators did.

Every coordinator action writes its audit entry inside the same transaction as the change,
so the log can never miss an action that happened nor record one that did not.

A summary is `Words` (channels/words.py): stored as its English sentence (the CSV export, the
API) and as its template and parameters, so the log page says it in each coordinator's
language (`summary_of`).  Entries written before that kept only the English: they read so.
"""

from __future__ import annotations

from channels.languages import N_
from channels.policy import Actor, check_coordinator
from channels.spreadsheet import csv_text
from channels.words import Words, words_json, words_of
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
    summary: Words,
    now: str,
) -> None:
    await tx.insert_audit(
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=str(summary),
        summary_words=words_json(summary),
        now=now,
    )


def summary_of(entry: AuditEntry) -> Words | str:
    """What the entry says, to be said in the reader's language (or as stored, if older)."""
    if entry.summary_words:
        try:
            return words_of(entry.summary_words)
        except ValueError:
            pass
    return entry.summary


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


def names_of(names: list[str]) -> Words | str:
    """Two people as a sentence names them ('Maria and Sara'), in the reader's language."""
    if len(names) == 2:
        return Words(N_("%(first)s and %(second)s"), first=names[0], second=names[1])
    return ", ".join(names)
