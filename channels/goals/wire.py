"""Goals and satisfaction on the wire.  `goal_json` carries a pair's words: it is made only
for the pair's own readers (the goals routes and the card of a message in their channel).
Coordinators get `goal_counts_json` and the satisfaction JSON, which hold no goal and no
message of the pair."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from channels.goals.goals import STATUSES, PairGoals
from channels.goals.satisfaction import Distribution, MyRequest, is_open
from storage.records import Goal, GoalCounts, SatisfactionAnswer, SatisfactionRequest


def goal_json(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.id,
        "channel_id": goal.channel_id,
        "title": goal.title,
        "status": goal.status,
        "status_label": STATUSES[goal.status],
        "position": goal.position,
        "created_at": goal.created_at,
        "updated_at": goal.updated_at,
        "updated_by": None
        if goal.updated_by is None
        else {"id": goal.updated_by, "name": goal.updated_by_name},
        "message_id": goal.message_id,
        "milestones": [
            {"id": m.id, "title": m.title, "done": m.done_at is not None, "done_at": m.done_at}
            for m in goal.milestones
        ],
        "milestones_done": sum(m.done_at is not None for m in goal.milestones),
    }


def pair_goals_json(found: PairGoals) -> dict[str, Any]:
    return {
        "channel_id": found.channel.id,
        "read_only": not found.can_change,
        "goals": [goal_json(goal) for goal in found.goals],
    }


def goal_counts_json(counts: GoalCounts) -> dict[str, Any]:
    return {
        "pair_id": counts.pair_id,
        "goals": counts.goals,
        "not_started": counts.not_started,
        "in_progress": counts.in_progress,
        "achieved": counts.achieved,
        "dropped": counts.dropped,
        "milestones": counts.milestones,
        "milestones_done": counts.milestones_done,
    }


def _scores(answer: SatisfactionAnswer) -> dict[str, Any] | None:
    if answer.answered_at is None:
        return None
    return {
        "relationship": answer.relationship,
        "progress": answer.progress,
        "comment": answer.comment,
        "answered_at": answer.answered_at,
        "changed_at": answer.changed_at,
    }


def _request_fields(request: SatisfactionRequest, now: datetime) -> dict[str, Any]:
    return {
        "id": request.id,
        "pair_id": request.pair_id,
        "reason": request.reason,
        "opened_at": request.opened_at,
        "closes_at": request.closes_at,
        "closed_at": request.closed_at,
        "open": is_open(request, now),
    }


def satisfaction_json(request: SatisfactionRequest, now: datetime) -> dict[str, Any]:
    """For coordinators: who was asked, whether each answered, their scores and comments."""
    return {
        **_request_fields(request, now),
        "people": [
            {
                "user": {"id": a.user_id, "name": a.user_name},
                "role": a.role,
                "answered": a.answered_at is not None,
                "answer": _scores(a),
            }
            for a in request.answers
        ],
    }


def my_satisfaction_json(mine: MyRequest, now: datetime) -> dict[str, Any]:
    """For the person asked: their own answer only (never the partner's, nor whether the
    partner answered)."""
    return {
        **_request_fields(mine.request, now),
        "partner": mine.partner_name,
        "role": mine.answer.role,
        "answer": _scores(mine.answer),
    }


def distribution_json(found: Distribution) -> dict[str, Any]:
    return {"asked": found.asked, "answered": found.answered, "scores": found.counts}
