"""A pair's goals and their milestones, the message that is each goal's card, the counts
coordinators see, and satisfaction requests with their answers.

Goal and milestone words leave storage only through the goal reads (`load_goal`,
`list_goals`, `goal_cards`), which the domain calls for the pair's own readers;
`count_goals_by_pair` is numbers alone."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from ..records import (
    Goal,
    GoalCounts,
    Milestone,
    SatisfactionAnswer,
    SatisfactionRequest,
    ScoreCount,
)
from .base import QueryBase, json_list, record

_GOAL = (
    "SELECT g.*, p.channel_id, mg.message_id, u.name AS updated_by_name FROM goals g"
    " JOIN pairs p ON p.id = g.pair_id"
    " LEFT JOIN message_goals mg ON mg.goal_id = g.id"
    " LEFT JOIN users u ON u.id = g.updated_by"
)

_REQUEST = "SELECT s.*, p.channel_id FROM satisfaction_requests s JOIN pairs p ON p.id = s.pair_id"


async def _with_milestones(queries: QueryBase, rows: list[sqlite3.Row]) -> list[Goal]:
    goals = [record(Goal, row) for row in rows]
    if not goals:
        return goals
    milestone_rows = await queries._all(
        "SELECT * FROM goal_milestones WHERE goal_id IN (SELECT value FROM json_each(?))"
        " ORDER BY position, id",
        (json_list(g.id for g in goals),),
    )
    by_goal: dict[int, list[Milestone]] = {}
    for row in milestone_rows:
        by_goal.setdefault(row["goal_id"], []).append(record(Milestone, row))
    return [replace(g, milestones=tuple(by_goal.get(g.id, ()))) for g in goals]


async def goal_cards(queries: QueryBase, message_ids: list[int]) -> dict[int, Goal]:
    """The goal of each message among `message_ids` that is a goal's card."""
    if not message_ids:
        return {}
    rows = await queries._all(
        _GOAL + " WHERE mg.message_id IN (SELECT value FROM json_each(?))",
        (json_list(message_ids),),
    )
    return {
        goal.message_id: goal for goal in await _with_milestones(queries, rows) if goal.message_id
    }


async def _with_answers(queries: QueryBase, rows: list[sqlite3.Row]) -> list[SatisfactionRequest]:
    found = [record(SatisfactionRequest, row) for row in rows]
    if not found:
        return found
    answer_rows = await queries._all(
        "SELECT a.*, u.name AS user_name FROM satisfaction_answers a"
        " JOIN users u ON u.id = a.user_id"
        " WHERE a.request_id IN (SELECT value FROM json_each(?))"
        " ORDER BY a.request_id, a.role DESC, a.user_id",  # the mentor first, as pairs are named
        (json_list(r.id for r in found),),
    )
    by_request: dict[int, list[SatisfactionAnswer]] = {}
    for row in answer_rows:
        by_request.setdefault(row["request_id"], []).append(record(SatisfactionAnswer, row))
    return [replace(r, answers=tuple(by_request.get(r.id, ()))) for r in found]


class GoalQueries(QueryBase):
    # goals and milestones

    async def load_goal(self, goal_id: int) -> Goal | None:
        rows = await self._all(_GOAL + " WHERE g.id = ?", (goal_id,))
        found = await _with_milestones(self, rows)
        return found[0] if found else None

    async def list_goals(self, pair_id: int) -> list[Goal]:
        """The pair's goals in their order, each with its milestones."""
        rows = await self._all(_GOAL + " WHERE g.pair_id = ? ORDER BY g.position, g.id", (pair_id,))
        return await _with_milestones(self, rows)

    async def load_milestone(self, milestone_id: int) -> Milestone | None:
        row = await self._one("SELECT * FROM goal_milestones WHERE id = ?", (milestone_id,))
        return None if row is None else record(Milestone, row)

    async def count_goals_by_pair(self) -> dict[int, GoalCounts]:
        """Per pair with any goal: goals by status, milestones and those done.  No words."""
        rows = await self._all(
            "SELECT g.pair_id, count(*) AS goals,"
            " count(*) FILTER (WHERE g.status = 'not_started') AS not_started,"
            " count(*) FILTER (WHERE g.status = 'in_progress') AS in_progress,"
            " count(*) FILTER (WHERE g.status = 'achieved') AS achieved,"
            " count(*) FILTER (WHERE g.status = 'dropped') AS dropped,"
            " sum((SELECT count(*) FROM goal_milestones m WHERE m.goal_id = g.id)) AS milestones,"
            " sum((SELECT count(*) FROM goal_milestones m WHERE m.goal_id = g.id"
            "      AND m.done_at IS NOT NULL)) AS milestones_done"
            " FROM goals g GROUP BY g.pair_id ORDER BY g.pair_id"
        )
        return {row["pair_id"]: record(GoalCounts, row) for row in rows}

    async def insert_goal(
        self, *, pair_id: int, title: str, status: str, created_by: int, now: str
    ) -> int:
        """Last in the pair's order."""
        return await self._value(
            "INSERT INTO goals (pair_id, title, status, position, created_by, created_at,"
            " updated_by, updated_at) VALUES (:pair, :title, :status,"
            " (SELECT coalesce(max(position), 0) + 1 FROM goals WHERE pair_id = :pair),"
            " :by, :now, :by, :now) RETURNING id",
            {"pair": pair_id, "title": title, "status": status, "by": created_by, "now": now},
        )

    async def update_goal(
        self, goal_id: int, *, title: str, status: str, updated_by: int, now: str
    ) -> None:
        await self._all(
            "UPDATE goals SET title = ?, status = ?, updated_by = ?, updated_at = ? WHERE id = ?",
            (title, status, updated_by, now, goal_id),
        )

    async def delete_goal(self, goal_id: int) -> None:
        """With its milestones and the link to its card (the card message stays, deleted)."""
        await self._all("DELETE FROM goals WHERE id = ?", (goal_id,))

    async def link_goal_card(self, message_id: int, goal_id: int) -> None:
        await self._all(
            "INSERT INTO message_goals (message_id, goal_id) VALUES (?, ?)", (message_id, goal_id)
        )

    async def insert_milestones(self, goal_id: int, titles: list[str]) -> None:
        """After the goal's last milestone, in this order."""
        await self._all(
            "INSERT INTO goal_milestones (goal_id, title, position)"
            " SELECT :goal, j.value, (SELECT coalesce(max(position), 0) FROM goal_milestones"
            "  WHERE goal_id = :goal) + j.key + 1 FROM json_each(:titles) AS j WHERE true",
            {"goal": goal_id, "titles": json_list(titles)},
        )

    async def update_milestone(
        self, milestone_id: int, *, title: str, done_at: str | None, done_by: int | None
    ) -> None:
        await self._all(
            "UPDATE goal_milestones SET title = ?, done_at = ?, done_by = ? WHERE id = ?",
            (title, done_at, done_by, milestone_id),
        )

    async def delete_milestone(self, milestone_id: int) -> None:
        await self._all("DELETE FROM goal_milestones WHERE id = ?", (milestone_id,))

    async def mark_goal_changed(self, goal_id: int, *, updated_by: int, now: str) -> None:
        """A milestone of the goal changed: so did the goal."""
        await self._all(
            "UPDATE goals SET updated_by = ?, updated_at = ? WHERE id = ?",
            (updated_by, now, goal_id),
        )

    # satisfaction

    async def load_satisfaction_request(self, request_id: int) -> SatisfactionRequest | None:
        rows = await self._all(_REQUEST + " WHERE s.id = ?", (request_id,))
        found = await _with_answers(self, rows)
        return found[0] if found else None

    async def list_satisfaction_requests(
        self, *, user_id: int | None = None, limit: int = 500
    ) -> list[SatisfactionRequest]:
        """Newest first; with `user_id`, only those that person was asked."""
        rows = await self._all(
            _REQUEST + " WHERE :user IS NULL OR s.id IN"
            " (SELECT request_id FROM satisfaction_answers WHERE user_id = :user)"
            " ORDER BY s.id DESC LIMIT :limit",
            {"user": user_id, "limit": limit},
        )
        return await _with_answers(self, rows)

    async def load_open_satisfaction_request(
        self, pair_id: int, now: str
    ) -> SatisfactionRequest | None:
        """The pair's request still taking answers at `now`, if any."""
        rows = await self._all(
            _REQUEST + " WHERE s.pair_id = ? AND s.closed_at IS NULL AND s.closes_at > ?"
            " ORDER BY s.id DESC LIMIT 1",
            (pair_id, now),
        )
        found = await _with_answers(self, rows)
        return found[0] if found else None

    async def count_satisfaction_scores(self) -> list[ScoreCount]:
        """How many answers gave each score to each question, by role: the distribution."""
        rows = await self._all(
            "SELECT 'relationship' AS question, role, relationship AS score, count(*) AS count"
            " FROM satisfaction_answers WHERE answered_at IS NOT NULL GROUP BY role, relationship"
            " UNION ALL"
            " SELECT 'progress', role, progress, count(*) FROM satisfaction_answers"
            " WHERE answered_at IS NOT NULL GROUP BY role, progress"
            " ORDER BY question DESC, role, score"
        )
        return [record(ScoreCount, row) for row in rows]

    async def count_satisfaction_answers(self) -> tuple[int, int]:
        """How many people were asked, and how many of them answered."""
        row = await self._one("SELECT count(*), count(answered_at) FROM satisfaction_answers")
        assert row is not None
        return row[0], row[1]

    async def insert_satisfaction_request(
        self,
        *,
        pair_id: int,
        reason: str,
        requested_by: int | None,
        people: list[tuple[int, str]],
        now: str,
        closes_at: str,
    ) -> int:
        """The request, and a row for each person asked ((user id, role in the pair))."""
        request_id = await self._value(
            "INSERT INTO satisfaction_requests (pair_id, reason, requested_by, opened_at,"
            " closes_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
            (pair_id, reason, requested_by, now, closes_at),
        )
        await self._all(
            "INSERT INTO satisfaction_answers (request_id, user_id, role)"
            " SELECT ?, CAST(value ->> 0 AS INTEGER), value ->> 1"
            " FROM json_each(?) WHERE true",
            (request_id, json_list([list(p) for p in people])),
        )
        return request_id

    async def save_satisfaction_answer(
        self,
        request_id: int,
        user_id: int,
        *,
        relationship: int,
        progress: int,
        comment: str,
        now: str,
    ) -> None:
        """The person's answer, first or changed (`changed_at` says when it last changed)."""
        await self._all(
            "UPDATE satisfaction_answers SET relationship = :relationship,"
            " progress = :progress, comment = :comment,"
            " changed_at = CASE WHEN answered_at IS NULL THEN NULL ELSE :now END,"
            " answered_at = coalesce(answered_at, :now)"
            " WHERE request_id = :request AND user_id = :user",
            {
                "relationship": relationship,
                "progress": progress,
                "comment": comment,
                "now": now,
                "request": request_id,
                "user": user_id,
            },
        )

    async def close_satisfaction_request(
        self, request_id: int, *, closed_by: int, now: str
    ) -> None:
        await self._all(
            "UPDATE satisfaction_requests SET closed_at = ?, closed_by = ?"
            " WHERE id = ? AND closed_at IS NULL",
            (now, closed_by, request_id),
        )
