"""The scheduled-task part of the OpenAPI document (issue 5): templates, schedules, post now,
progress, and marking a task done."""

from __future__ import annotations

from typing import Any

from server.api.openapi.schema import _INT, _MESSAGE, _MSG, _STR, _object, _op

_NULLABLE_STR, _BOOL = {"type": ["string", "null"]}, {"type": "boolean"}
_TASK = {"$ref": "#/components/schemas/Task"}
_SCHEDULE = {"$ref": "#/components/schemas/Schedule"}
_TASK_ID = [("task_id", "path")]
_SCHEDULE_ID = [("schedule_id", "path")]
_TARGET = {
    "description": "Which pairs: exactly one of these keys",
    **_object(
        all={"const": True},
        pairs={"type": "array", "items": _INT},
        started_between={
            "type": "array",
            "items": _STR,
            "minItems": 2,
            "maxItems": 2,
            "description": "two dates, both included",
        },
    ),
}
_RULE = _object(
    at={
        "type": "string",
        "description": "ISO 8601 date and time; without an offset, in the programme's time zone",
    },
    pair_day={
        "type": "integer",
        "minimum": 1,
        "description": "day N of each pairing (1 = the day it started), with 'time'",
    },
    time={"type": "string", "description": "HH:MM in the programme's time zone"},
    weekly=_object(
        ["weekday", "time"],
        weekday={
            "enum": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        },
        time=_STR,
    ),
    until={
        "type": "string",
        "description": "weekly only, required: a date (included) or a date and time",
    },
)
_TEMPLATE_BODY = _object(
    ["title"],
    title=_STR,
    body=_STR,
    due_days={
        "type": ["integer", "null"],
        "minimum": 1,
        "description": "due this many days after posting",
    },
)
_COUNTS = _object(pairs=_INT, posted=_INT, done=_INT, overdue=_INT)
_OCCURRENCE = _object(
    task_id=_INT,
    schedule_id=_INT,
    title=_STR,
    scheduled_at=_STR,
    posted_at=_STR,
    late=_BOOL,
    due_at=_NULLABLE_STR,
    done=_BOOL,
    done_at=_NULLABLE_STR,
    overdue=_BOOL,
)
_PAIR_PROGRESS = _object(
    pair_id=_INT,
    mentor={"type": ["object", "null"]},
    mentee={"type": ["object", "null"]},
    started_at=_STR,
    ended_at=_NULLABLE_STR,
    posted=_INT,
    done=_INT,
    overdue=_INT,
    tasks={"type": "array", "items": _OCCURRENCE},
)

TASK_SCHEMAS = {
    "TaskState": _object(
        title=_STR,
        due_at=_NULLABLE_STR,
        late=_BOOL,
        done=_BOOL,
        done_at=_NULLABLE_STR,
        done_by={"type": ["object", "null"]},
    ),
    "Task": _object(
        id=_INT,
        title=_STR,
        body=_STR,
        due_days={"type": ["integer", "null"]},
        created_at=_STR,
        updated_at=_STR,
        schedules={"type": "array", "items": _SCHEDULE},
        progress=_COUNTS,
    ),
    "Schedule": _object(
        id=_INT,
        task_id=_INT,
        state={"enum": ["active", "paused", "cancelled", "finished"]},
        kind={"enum": ["now", "at", "pair_day", "weekly"]},
        at=_STR,
        pair_day=_INT,
        time=_STR,
        weekly={"type": "object"},
        until=_STR,
        target=_TARGET,
        active_from=_STR,
        created_at=_STR,
        updated_at=_STR,
    ),
}


def task_paths() -> dict[str, Any]:
    coordinators = " (coordinators only)"
    return {
        "/api/v1/tasks": {
            "get": _op(
                "Task templates with their schedules and progress counts" + coordinators,
                _object(tasks={"type": "array", "items": _TASK}),
            ),
            "post": _op(
                "Write a task template" + coordinators,
                _object(task=_TASK),
                body=_TEMPLATE_BODY,
                status="201",
            ),
        },
        "/api/v1/tasks/{task_id}": {
            "get": _op(
                "One task template, its schedules and progress counts" + coordinators,
                _object(task=_TASK),
                params=_TASK_ID,
            ),
            "patch": _op(
                "Edit a template: tasks not yet posted use the new text" + coordinators,
                _object(task=_TASK),
                body=_object(title=_STR, body=_STR, due_days={"type": ["integer", "null"]}),
                params=_TASK_ID,
            ),
            "delete": _op(
                "Delete a template and cancel its schedules; posted tasks stay" + coordinators,
                _object(ok=_BOOL),
                params=_TASK_ID,
            ),
        },
        "/api/v1/tasks/{task_id}/schedules": {
            "post": _op(
                "Schedule a template: one rule (at, pair_day + time, or weekly + until) and one target"
                + coordinators,
                _object(schedule=_SCHEDULE),
                body={"allOf": [_RULE, _TARGET]},
                params=_TASK_ID,
                status="201",
            )
        },
        "/api/v1/tasks/{task_id}/post-now": {
            "post": _op(
                "Post the task into every targeted pair channel at once" + coordinators,
                _object(schedule=_SCHEDULE, posted=_INT),
                body=_TARGET,
                params=_TASK_ID,
                status="201",
            )
        },
        "/api/v1/tasks/{task_id}/progress": {
            "get": _op(
                "Per pair: tasks posted, done and overdue; never any message" + coordinators,
                _object(
                    task=_object(id=_INT, title=_STR),
                    totals={**_COUNTS, "properties": {**_COUNTS["properties"], "pairs_done": _INT}},
                    pairs={"type": "array", "items": _PAIR_PROGRESS},
                ),
                params=_TASK_ID,
            )
        },
        "/api/v1/schedules/{schedule_id}": {
            "patch": _op(
                "Pause or resume ('paused'), or replace the rule and/or target; only tasks not yet posted change"
                + coordinators,
                _object(schedule=_SCHEDULE),
                body={"allOf": [_object(paused=_BOOL), _RULE, _TARGET]},
                params=_SCHEDULE_ID,
            ),
            "delete": _op(
                "Cancel a schedule; posted tasks stay" + coordinators,
                _object(schedule=_SCHEDULE),
                params=_SCHEDULE_ID,
            ),
        },
        "/api/v1/pairs/{pair_id}/tasks": {
            "get": _op(
                "Every task a pair has been given and which are done; no content" + coordinators,
                _PAIR_PROGRESS,
                params=[("pair_id", "path")],
            ),
        },
        "/api/v1/messages/{message_id}/complete": {
            "post": _op(
                "Mark a task done or not done (the two people of the pair only); same as the socket.io event task:complete",
                _object(message=_MESSAGE),
                body=_object(["done"], done=_BOOL),
                params=_MSG,
            )
        },
    }
