"""Task templates, their schedules, and the occurrences posted into pair channels.

The claim: an occurrence row is inserted with ON CONFLICT DO NOTHING on its unique
(schedule, pair, occurrence) key inside the transaction that posts the task, so when several
scheduler processes share the database exactly one of them posts it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..records import TaskCounts, TaskOccurrence, TaskSchedule, TaskState, TaskTemplate
from .base import QueryBase, json_list, record

# The columns a schedule's rule and target fill in; `insert_schedule` and `update_schedule`
# take exactly these keys.
SCHEDULE_COLUMNS = (
    "kind",
    "at",
    "pair_day",
    "weekday",
    "time_of_day",
    "until",
    "target",
    "target_pairs",
    "started_from",
    "started_until",
)

_OCCURRENCE = (
    "SELECT o.*, s.template_id, p.channel_id FROM task_occurrences o"
    " JOIN task_schedules s ON s.id = o.schedule_id JOIN pairs p ON p.id = o.pair_id"
)


def _template(row: sqlite3.Row) -> TaskTemplate:
    return record(TaskTemplate, row)


def _schedule(row: sqlite3.Row) -> TaskSchedule:
    return record(TaskSchedule, row, target_pairs=tuple(json.loads(row["target_pairs"] or "[]")))


def _occurrence(row: sqlite3.Row) -> TaskOccurrence:
    return record(TaskOccurrence, row, late=bool(row["late"]))


def _schedule_params(columns: dict[str, Any]) -> dict[str, Any]:
    if set(columns) != set(SCHEDULE_COLUMNS):
        raise ValueError(f"schedule columns must be exactly {SCHEDULE_COLUMNS}")
    params = dict(columns)
    pairs = params["target_pairs"]
    params["target_pairs"] = None if pairs is None else json_list(pairs)
    return params


async def task_states(query: QueryBase, message_ids: list[int]) -> dict[int, TaskState]:
    """The task state of each of these messages that is a task (one query for all)."""
    if not message_ids:
        return {}
    rows = await query._all(
        "SELECT o.message_id, o.title, o.due_at, o.late, o.done_at, o.done_by,"
        " u.name AS done_by_name FROM task_occurrences o LEFT JOIN users u ON u.id = o.done_by"
        " WHERE o.message_id IN (SELECT value FROM json_each(?))",
        (json_list(message_ids),),
    )
    return {
        row["message_id"]: TaskState(
            title=row["title"],
            due_at=row["due_at"],
            late=bool(row["late"]),
            done_at=row["done_at"],
            done_by_id=row["done_by"],
            done_by_name=row["done_by_name"],
        )
        for row in rows
    }


class TaskQueries(QueryBase):
    # templates

    async def insert_template(
        self, *, title: str, body: str, due_days: int | None, created_by: int, now: str
    ) -> TaskTemplate:
        row = await self._one(
            "INSERT INTO task_templates (title, body, due_days, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (title, body, due_days, created_by, now, now),
        )
        assert row is not None
        return _template(row)

    async def update_template(
        self, template_id: int, *, title: str, body: str, due_days: int | None, now: str
    ) -> TaskTemplate:
        row = await self._one(
            "UPDATE task_templates SET title = ?, body = ?, due_days = ?, updated_at = ?"
            " WHERE id = ? RETURNING *",
            (title, body, due_days, now, template_id),
        )
        assert row is not None
        return _template(row)

    async def delete_template(self, template_id: int, now: str) -> None:
        """Hide the template and cancel its schedules; tasks already posted stay with the pairs."""
        await self._all(
            "UPDATE task_templates SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
            (now, template_id),
        )
        await self._all(
            "UPDATE task_schedules SET state = 'cancelled', updated_at = ?"
            " WHERE template_id = ? AND state IN ('active', 'paused')",
            (now, template_id),
        )

    async def load_template(self, template_id: int) -> TaskTemplate | None:
        row = await self._one("SELECT * FROM task_templates WHERE id = ?", (template_id,))
        return None if row is None else _template(row)

    async def list_templates(self) -> list[TaskTemplate]:
        rows = await self._all("SELECT * FROM task_templates WHERE deleted_at IS NULL ORDER BY id")
        return [_template(row) for row in rows]

    # schedules

    async def insert_schedule(
        self, *, template_id: int, columns: dict[str, Any], created_by: int, now: str
    ) -> TaskSchedule:
        row = await self._one(
            "INSERT INTO task_schedules (template_id, kind, at, pair_day, weekday, time_of_day,"
            " until, target, target_pairs, started_from, started_until, state, active_from,"
            " created_by, created_at, updated_at) VALUES (:template_id, :kind, :at, :pair_day,"
            " :weekday, :time_of_day, :until, :target, :target_pairs, :started_from,"
            " :started_until, 'active', :now, :created_by, :now, :now) RETURNING *",
            {
                **_schedule_params(columns),
                "template_id": template_id,
                "created_by": created_by,
                "now": now,
            },
        )
        assert row is not None
        return _schedule(row)

    async def update_schedule(
        self, schedule_id: int, *, columns: dict[str, Any], now: str
    ) -> TaskSchedule:
        """Replace the rule and target.  Occurrences already posted stay posted; the new rule
        applies from `now` on."""
        row = await self._one(
            "UPDATE task_schedules SET kind = :kind, at = :at, pair_day = :pair_day,"
            " weekday = :weekday, time_of_day = :time_of_day, until = :until, target = :target,"
            " target_pairs = :target_pairs, started_from = :started_from,"
            " started_until = :started_until, active_from = :now, updated_at = :now"
            " WHERE id = :id RETURNING *",
            {**_schedule_params(columns), "id": schedule_id, "now": now},
        )
        assert row is not None
        return _schedule(row)

    async def set_schedule_state(
        self, schedule_id: int, state: str, now: str, *, restart: bool = False
    ) -> TaskSchedule:
        """Pause, resume, cancel or finish.  `restart`: occurrences due before `now` are skipped
        (resuming does not post what fell due while paused)."""
        row = await self._one(
            "UPDATE task_schedules SET state = ?, updated_at = ?,"
            " active_from = CASE WHEN ? = 1 THEN ? ELSE active_from END WHERE id = ? RETURNING *",
            (state, now, int(restart), now, schedule_id),
        )
        assert row is not None
        return _schedule(row)

    async def load_schedule(self, schedule_id: int) -> TaskSchedule | None:
        row = await self._one("SELECT * FROM task_schedules WHERE id = ?", (schedule_id,))
        return None if row is None else _schedule(row)

    async def list_schedules(self, template_id: int) -> list[TaskSchedule]:
        rows = await self._all(
            "SELECT * FROM task_schedules WHERE template_id = ? ORDER BY id", (template_id,)
        )
        return [_schedule(row) for row in rows]

    async def list_live_schedules(self) -> list[TaskSchedule]:
        """Active schedules of templates that still exist: what the scheduler looks at."""
        rows = await self._all(
            "SELECT s.* FROM task_schedules s JOIN task_templates t ON t.id = s.template_id"
            " WHERE s.state = 'active' AND t.deleted_at IS NULL ORDER BY s.id"
        )
        return [_schedule(row) for row in rows]

    # occurrences

    async def list_claimed(self, schedule_id: int) -> set[tuple[int, str]]:
        """(pair id, occurrence) of everything this schedule has posted."""
        rows = await self._all(
            "SELECT pair_id, occurrence FROM task_occurrences WHERE schedule_id = ?",
            (schedule_id,),
        )
        return {(row[0], row[1]) for row in rows}

    async def claim_occurrence(
        self,
        *,
        schedule_id: int,
        pair_id: int,
        occurrence: str,
        scheduled_at: str,
        title: str,
        due_at: str | None,
        late: bool,
        now: str,
    ) -> int | None:
        """Claim one occurrence for posting: its id, or None when it was posted already or
        the pair has ended (checked here, inside the write, not when the run was planned)."""
        return await self._value(
            "INSERT INTO task_occurrences (schedule_id, pair_id, occurrence, scheduled_at,"
            " posted_at, late, title, due_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?"
            " WHERE EXISTS (SELECT 1 FROM pairs WHERE id = ? AND ended_at IS NULL)"
            " ON CONFLICT (schedule_id, pair_id, occurrence) DO NOTHING RETURNING id",
            (
                schedule_id,
                pair_id,
                occurrence,
                scheduled_at,
                now,
                int(late),
                title,
                due_at,
                pair_id,
            ),
        )

    async def attach_task_message(self, occurrence_id: int, message_id: int) -> None:
        await self._all(
            "UPDATE task_occurrences SET message_id = ? WHERE id = ?", (message_id, occurrence_id)
        )

    async def set_task_done(self, message_id: int, *, done_by: int | None, now: str) -> bool:
        """Mark done (`done_by` a user) or not done (None); False when it already was."""
        changed = await self._all(
            "UPDATE task_occurrences SET done_at = ?, done_by = ?"
            " WHERE message_id = ? AND (done_at IS NULL) = (? = 1) RETURNING id",
            (now if done_by else None, done_by, message_id, int(done_by is not None)),
        )
        return bool(changed)

    async def list_overdue_unreminded(self, now: str, limit: int) -> list[TaskOccurrence]:
        """Tasks past their due date, not done and not yet reminded, in pairs still going."""
        rows = await self._all(
            f"{_OCCURRENCE} JOIN messages m ON m.id = o.message_id"
            " WHERE o.due_at IS NOT NULL AND o.done_at IS NULL AND o.reminded_at IS NULL"
            " AND o.due_at <= ? AND p.ended_at IS NULL AND m.deleted_at IS NULL"
            " ORDER BY o.due_at, o.id LIMIT ?",
            (now, limit),
        )
        return [_occurrence(row) for row in rows]

    async def claim_reminder(self, occurrence_id: int, now: str) -> bool:
        """Claim the one overdue reminder of a task; False if posted already, done since, or
        its pair has ended since."""
        claimed = await self._all(
            "UPDATE task_occurrences SET reminded_at = ?"
            " WHERE id = ? AND reminded_at IS NULL AND done_at IS NULL"
            " AND EXISTS (SELECT 1 FROM pairs p"
            " WHERE p.id = task_occurrences.pair_id AND p.ended_at IS NULL) RETURNING id",
            (now, occurrence_id),
        )
        return bool(claimed)

    async def next_reminder_due(self, now: str) -> str | None:
        return await self._value(
            "SELECT min(due_at) FROM task_occurrences"
            " WHERE due_at IS NOT NULL AND done_at IS NULL AND reminded_at IS NULL AND due_at > ?",
            (now,),
        )

    async def list_template_occurrences(self, template_id: int) -> list[TaskOccurrence]:
        rows = await self._all(
            f"{_OCCURRENCE} WHERE s.template_id = ? ORDER BY o.pair_id, o.scheduled_at, o.id",
            (template_id,),
        )
        return [_occurrence(row) for row in rows]

    async def list_pair_occurrences(self, pair_id: int) -> list[TaskOccurrence]:
        rows = await self._all(
            f"{_OCCURRENCE} WHERE o.pair_id = ? ORDER BY o.scheduled_at, o.id", (pair_id,)
        )
        return [_occurrence(row) for row in rows]

    async def count_task_progress(self, now: str) -> dict[int, TaskCounts]:
        """Per template: pairs that have it, occurrences posted, done, and overdue at `now` (in
        pairs still going: an ended pair is asked nothing any more)."""
        rows = await self._all(
            "SELECT s.template_id, count(DISTINCT o.pair_id) AS pairs, count(*) AS posted,"
            " count(o.done_at) AS done,"
            " count(*) FILTER (WHERE o.done_at IS NULL AND o.due_at IS NOT NULL AND o.due_at <= ?"
            " AND p.ended_at IS NULL) AS overdue"
            " FROM task_occurrences o JOIN task_schedules s ON s.id = o.schedule_id"
            " JOIN pairs p ON p.id = o.pair_id"
            " GROUP BY s.template_id",
            (now,),
        )
        return {
            row["template_id"]: TaskCounts(row["pairs"], row["posted"], row["done"], row["overdue"])
            for row in rows
        }

    async def count_open_tasks(self, *, now: str, due_before: str) -> tuple[int, int]:
        """Tasks not done in pairs still going: (overdue at `now`, due after `now` and before
        `due_before`).  A task whose message was deleted is no longer asked of anyone."""
        row = await self._one(
            "SELECT count(*) FILTER (WHERE o.due_at <= :now) AS overdue,"
            " count(*) FILTER (WHERE o.due_at > :now AND o.due_at < :before) AS soon"
            " FROM task_occurrences o JOIN pairs p ON p.id = o.pair_id"
            " JOIN messages m ON m.id = o.message_id"
            " WHERE o.done_at IS NULL AND o.due_at IS NOT NULL AND p.ended_at IS NULL"
            " AND m.deleted_at IS NULL",
            {"now": now, "before": due_before},
        )
        assert row is not None
        return row["overdue"], row["soon"]
