"""Goals and satisfaction: their part of the OpenAPI document (merged into
openapi_document)."""

from __future__ import annotations

from typing import Any

from channels.goals.goals import MAX_MILESTONES, STATUSES
from channels.goals.satisfaction import ANSWER_DAYS, REASONS
from server.api.openapi.schema import _INT, _MESSAGE, _STR, _object, _op

_BOOL = {"type": "boolean"}
_NULLABLE_STR = {"type": ["string", "null"]}
_GOAL = {"$ref": "#/components/schemas/Goal"}
_SCORE = {"type": "integer", "minimum": 1, "maximum": 5}
_STATUS = {"enum": list(STATUSES)}
_ROLE = {"enum": ["mentee", "mentor"]}
_COORDINATORS = " (coordinators only; others get `forbidden`)"
_PAIR_ONLY = " (the two people of the pair only; for anyone else it does not exist)"
_ONE_GOAL = _object(["goal"], goal=_GOAL)
_GONE = _object(["removed"], removed=_BOOL)


def _coord(summary: str, ok: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return _op(summary + _COORDINATORS, ok, **kw)


def goal_paths() -> dict[str, Any]:
    channel = [("channel_id", "path")]
    goal = [("goal_id", "path")]
    milestone = [("milestone_id", "path")]
    request = [("request_id", "path")]
    return {
        "/api/v1/channels/{channel_id}/goals": {
            "get": _op(
                "A pair's goals in order, each with its milestones" + _PAIR_ONLY,
                _object(
                    ["channel_id", "read_only", "goals"],
                    channel_id=_INT,
                    read_only={**_BOOL, "description": "the pair has ended"},
                    goals={"type": "array", "items": _GOAL},
                ),
                params=channel,
            ),
            "post": _op(
                f"Add a goal (with up to {MAX_MILESTONES} milestones) to a pair; its card is"
                " posted in the pair channel as `message`; a repeated client_id returns the"
                " first" + _PAIR_ONLY,
                _object(["goal", "message"], goal=_GOAL, message=_MESSAGE),
                body=_object(
                    ["title"],
                    title=_STR,
                    status=_STATUS,
                    milestones={"type": "array", "items": _STR},
                    client_id=_STR,
                ),
                params=channel,
                status="201",
                also=[("200", "A repeated client_id: the goal first added with it")],
            ),
        },
        "/api/v1/goals/{goal_id}": {
            "get": _op("One goal" + _PAIR_ONLY, _ONE_GOAL, params=goal),
            "patch": _op(
                "Change a goal's title or status; its card takes a new seq" + _PAIR_ONLY,
                _ONE_GOAL,
                body=_object(title=_STR, status=_STATUS),
                params=goal,
            ),
            "delete": _op(
                "Remove a goal and its milestones for good; its card becomes a deleted message"
                + _PAIR_ONLY,
                _GONE,
                params=goal,
            ),
        },
        "/api/v1/goals/{goal_id}/milestones": {
            "post": _op(
                f"Add a milestone after the goal's last one (at most {MAX_MILESTONES})"
                + _PAIR_ONLY,
                _ONE_GOAL,
                body=_object(["title"], title=_STR),
                params=goal,
                status="201",
            )
        },
        "/api/v1/milestones/{milestone_id}": {
            "patch": _op(
                "Tick a milestone (done), untick it, or rename it; answers its goal" + _PAIR_ONLY,
                _ONE_GOAL,
                body=_object(title=_STR, done=_BOOL),
                params=milestone,
            ),
            "delete": _op(
                "Remove a milestone; answers its goal" + _PAIR_ONLY, _ONE_GOAL, params=milestone
            ),
        },
        "/api/v1/me/satisfaction": {
            "get": _op(
                "The satisfaction forms you were asked, newest first, each with your own answer",
                _object(
                    ["requests"],
                    requests={
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/MySatisfaction"},
                    },
                ),
            )
        },
        "/api/v1/satisfaction/{request_id}/answer": {
            "put": _op(
                "Answer a satisfaction form you were asked, or change your answer, while it is"
                f" open ({ANSWER_DAYS} days, unless a coordinator closes it sooner); the comment"
                " is read by the coordinators, never by your partner",
                _object(["request"], request={"$ref": "#/components/schemas/MySatisfaction"}),
                body=_object(
                    ["relationship", "progress"],
                    relationship=_SCORE,
                    progress=_SCORE,
                    comment=_STR,
                ),
                params=request,
            )
        },
        "/api/v1/pairs/goals": {
            "get": _coord(
                "How many goals each pair has, by status, and its milestones done: numbers,"
                " never a word of the goals",
                _object(
                    ["pairs"],
                    pairs={"type": "array", "items": {"$ref": "#/components/schemas/GoalCounts"}},
                ),
            )
        },
        "/api/v1/pairs/{pair_id}/satisfaction": {
            "post": _coord(
                "Ask both people of an active pair the satisfaction form now (`conflict` when"
                " one is open)",
                _object(["request"], request={"$ref": "#/components/schemas/Satisfaction"}),
                params=[("pair_id", "path")],
                status="201",
            )
        },
        "/api/v1/satisfaction": {
            "get": _coord(
                "Every satisfaction form, newest first: who was asked, whether each answered,"
                " their scores and comments",
                _object(
                    ["requests"],
                    requests={
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Satisfaction"},
                    },
                ),
            )
        },
        "/api/v1/satisfaction/{request_id}/close": {
            "post": _coord(
                "Close a satisfaction form before its time: answers can no longer change",
                _object(["request"], request={"$ref": "#/components/schemas/Satisfaction"}),
                params=request,
            )
        },
        "/api/v1/satisfaction/scores": {
            "get": _coord(
                "The distribution of the answers: per question and role, how many gave 1 to 5",
                _object(
                    ["asked", "answered", "scores"],
                    asked=_INT,
                    answered=_INT,
                    scores=_object(
                        ["relationship", "progress"],
                        relationship=_BY_ROLE,
                        progress=_BY_ROLE,
                    ),
                ),
            )
        },
    }


_FIVE = {"type": "array", "items": _INT, "minItems": 5, "maxItems": 5}
_BY_ROLE = _object(["mentee", "mentor"], mentee=_FIVE, mentor=_FIVE)
_ANSWER = {
    "oneOf": [
        {"type": "null"},
        _object(
            ["relationship", "progress", "comment", "answered_at", "changed_at"],
            relationship=_SCORE,
            progress=_SCORE,
            comment=_STR,
            answered_at=_STR,
            changed_at=_NULLABLE_STR,
        ),
    ]
}
_REQUEST_FIELDS: dict[str, Any] = {
    "id": _INT,
    "pair_id": _INT,
    "reason": {"enum": list(REASONS)},
    "opened_at": _STR,
    "closes_at": _STR,
    "closed_at": _NULLABLE_STR,
    "open": _BOOL,
}

GOAL_SCHEMAS: dict[str, Any] = {
    "Goal": _object(
        [
            "id",
            "channel_id",
            "title",
            "status",
            "status_label",
            "position",
            "created_at",
            "updated_at",
            "updated_by",
            "message_id",
            "milestones",
            "milestones_done",
        ],
        id=_INT,
        channel_id=_INT,
        title=_STR,
        status=_STATUS,
        status_label=_STR,
        position=_INT,
        created_at=_STR,
        updated_at=_STR,
        updated_by={
            "oneOf": [{"type": "null"}, _object(["id", "name"], id=_INT, name=_NULLABLE_STR)]
        },
        message_id={"type": ["integer", "null"]},
        milestones={
            "type": "array",
            "items": _object(
                ["id", "title", "done", "done_at"],
                id=_INT,
                title=_STR,
                done=_BOOL,
                done_at=_NULLABLE_STR,
            ),
        },
        milestones_done=_INT,
    ),
    "GoalCounts": _object(
        [
            "pair_id",
            "goals",
            "not_started",
            "in_progress",
            "achieved",
            "dropped",
            "milestones",
            "milestones_done",
        ],
        pair_id=_INT,
        goals=_INT,
        not_started=_INT,
        in_progress=_INT,
        achieved=_INT,
        dropped=_INT,
        milestones=_INT,
        milestones_done=_INT,
    ),
    "Satisfaction": _object(
        [*_REQUEST_FIELDS, "people"],
        **_REQUEST_FIELDS,
        people={
            "type": "array",
            "items": _object(
                ["user", "role", "answered", "answer"],
                user=_object(["id", "name"], id=_INT, name=_STR),
                role=_ROLE,
                answered=_BOOL,
                answer=_ANSWER,
            ),
        },
    ),
    "MySatisfaction": _object(
        [*_REQUEST_FIELDS, "partner", "role", "answer"],
        **_REQUEST_FIELDS,
        partner=_STR,
        role=_ROLE,
        answer=_ANSWER,
    ),
}
