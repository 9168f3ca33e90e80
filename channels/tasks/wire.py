"""How templates, schedules and progress look on the wire.  Progress carries counts, dates and
done states only: never a message of the pair."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from channels.tasks.planning import PairProgress, Progress, TaskOverview, is_overdue
from channels.tasks.rules import rule_json, rule_of, target_json, target_of
from storage.records import TaskCounts, TaskOccurrence, TaskSchedule, TaskTemplate, User


def template_json(template: TaskTemplate) -> dict[str, Any]:
    return {
        "id": template.id,
        "title": template.title,
        "body": template.body,
        "due_days": template.due_days,
        "created_at": template.created_at,
        "updated_at": template.updated_at,
    }


def schedule_json(schedule: TaskSchedule, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": schedule.id,
        "task_id": schedule.template_id,
        "state": schedule.state,
        **rule_json(rule_of(schedule)),
        "target": target_json(target_of(schedule), zone),
        "active_from": schedule.active_from,
        "created_at": schedule.created_at,
        "updated_at": schedule.updated_at,
    }


def counts_json(counts: TaskCounts) -> dict[str, int]:
    return {
        "pairs": counts.pairs,
        "posted": counts.posted,
        "done": counts.done,
        "overdue": counts.overdue,
    }


def overview_json(overview: TaskOverview, zone: ZoneInfo) -> dict[str, Any]:
    return {
        **template_json(overview.template),
        "schedules": [schedule_json(s, zone) for s in overview.schedules],
        "progress": counts_json(overview.counts),
    }


def occurrence_json(occurrence: TaskOccurrence, now: datetime) -> dict[str, Any]:
    return {
        "task_id": occurrence.template_id,
        "schedule_id": occurrence.schedule_id,
        "title": occurrence.title,
        "scheduled_at": occurrence.scheduled_at,
        "posted_at": occurrence.posted_at,
        "late": occurrence.late,
        "due_at": occurrence.due_at,
        "done": occurrence.done_at is not None,
        "done_at": occurrence.done_at,
        "overdue": is_overdue(occurrence, now),
    }


def _person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.name}


def pair_progress_json(progress: PairProgress, now: datetime) -> dict[str, Any]:
    """A pair's tasks; none is overdue once the pair has ended (nobody is asked any more)."""
    tasks = [occurrence_json(o, now) for o in progress.tasks]
    if progress.pair.ended_at is not None:
        tasks = [{**task, "overdue": False} for task in tasks]
    return {
        "pair_id": progress.pair.id,
        "mentor": _person(progress.mentor),
        "mentee": _person(progress.mentee),
        "started_at": progress.pair.started_at,
        "ended_at": progress.pair.ended_at,
        "posted": len(tasks),
        "done": sum(t["done"] for t in tasks),
        "overdue": sum(t["overdue"] for t in tasks),
        "tasks": tasks,
    }


def progress_json(progress: Progress) -> dict[str, Any]:
    pairs = [pair_progress_json(p, progress.now) for p in progress.pairs]
    return {
        "task": {"id": progress.template.id, "title": progress.template.title},
        "totals": {
            "pairs": len(pairs),
            "posted": sum(p["posted"] for p in pairs),
            "done": sum(p["done"] for p in pairs),
            "overdue": sum(p["overdue"] for p in pairs),
            "pairs_done": sum(1 for p in pairs if p["done"] == p["posted"]),
        },
        "pairs": pairs,
    }
