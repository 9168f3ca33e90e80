"""How administration records look on the wire (JSON for the API and socket events)."""

from __future__ import annotations

from typing import Any

from channels.chat.wire import user_json
from channels.people.importing import ImportPlan
from channels.programme.matching import PairOverview, Suggestion
from storage.records import AuditEntry, CommunityListing, MenuItem, OutgoingMail, User


def account_json(user: User) -> dict[str, Any]:
    return {
        **user_json(user, private=True),
        "invited": user.password_hash is None,  # has not chosen a password yet
        "created_at": user.created_at,
    }


def person(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name}


def pair_overview_json(overview: PairOverview) -> dict[str, Any]:
    pair, activity = overview.pair, overview.activity
    return {
        "id": pair.id,
        "mentor": person(overview.mentor),
        "mentee": person(overview.mentee),
        "channel_id": pair.channel_id,
        "started_at": pair.started_at,
        "ended_at": pair.ended_at,
        "active": pair.ended_at is None,
        "activity": {
            "messages_total": activity.messages_total,
            "messages_per_week": list(activity.weekly),  # this week first
            "last_activity_at": activity.last_activity_at,
        },
    }


def suggestion_json(suggestion: Suggestion) -> dict[str, Any]:
    return {
        "mentor": {**person(suggestion.mentor), "expertise": suggestion.mentor.expertise},
        "same_field": suggestion.same_field,
        "shared_words": list(suggestion.shared),
        "active_mentees": suggestion.active_mentees,
        "reason": suggestion.reason,
    }


def import_plan_json(plan: ImportPlan) -> dict[str, Any]:
    return {
        "clean": plan.clean,
        "new": len(plan.new),
        "existing": len(plan.existing),
        "problems": [{"line": p.line, "reason": p.reason} for p in plan.problems],
        "people": [
            {
                "line": row.line,
                "email": row.email,
                "name": row.name,
                "role": row.role,
                "expertise": row.expertise,
                "status": status,
            }
            for status, rows in (("new", plan.new), ("existing", plan.existing))
            for row in rows
        ],
    }


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.created_at,
        "actor": {"id": entry.actor_id, "name": entry.actor_name},
        "action": entry.action,
        "target": {"type": entry.target_type, "id": entry.target_id},
        "summary": entry.summary,
    }


def menu_item_json(item: MenuItem) -> dict[str, Any]:
    return {"item": item.item, "label": item.label, "url": item.url, "visible": item.visible}


def community_json(listing: CommunityListing) -> dict[str, Any]:
    return {
        "id": listing.channel_id,
        "name": listing.name,
        "topic": listing.topic,
        "read_only": listing.archived,
        "member_count": listing.member_count,
        "is_member": listing.is_member,
    }


def mail_json(mail: OutgoingMail) -> dict[str, Any]:
    state = "sent" if mail.sent_at else "failed" if mail.failed_at else "waiting"
    return {
        "id": mail.id,
        "to": mail.recipient,
        "subject": mail.subject,
        "state": state,
        "attempts": mail.attempts,
        "created_at": mail.created_at,
        "sent_at": mail.sent_at,
        "next_attempt_at": None if state != "waiting" else mail.next_attempt_at,
        "last_error": mail.last_error,
    }
