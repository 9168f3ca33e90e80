"""Questionnaires, their questions, the cards that announce them, who has answered, the answers
and the reminders.

Anonymous answers live in a table of their own with no person, no time and a random key: the
queries here never write or read one together with anything that names a person."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..records import AnswerSet, Question, Questionnaire, QuestionnaireCard
from .base import QueryBase, json_list, record

# The columns an assignment fills in; `assign_questionnaire` takes exactly these keys.
ASSIGNMENT_COLUMNS = (
    "roles",
    "target",
    "target_pairs",
    "started_from",
    "started_until",
    "opens_at",
    "closes_at",
)


def _questionnaire(row: sqlite3.Row) -> Questionnaire:
    return record(
        Questionnaire,
        row,
        anonymous=bool(row["anonymous"]),
        roles=tuple(json.loads(row["roles"] or "[]")),
        target_pairs=tuple(json.loads(row["target_pairs"] or "[]")),
    )


def _question(row: sqlite3.Row) -> Question:
    return record(
        Question, row, options=tuple(json.loads(row["options"])), required=bool(row["required"])
    )


async def questionnaire_cards(
    query: QueryBase, message_ids: list[int]
) -> dict[int, QuestionnaireCard]:
    """The card of each of these messages that announces a questionnaire (one query for all)."""
    if not message_ids:
        return {}
    rows = await query._all(
        "SELECT c.message_id, q.id, q.title, q.anonymous, q.closes_at FROM questionnaire_cards c"
        " JOIN questionnaires q ON q.id = c.questionnaire_id"
        " WHERE c.message_id IN (SELECT value FROM json_each(?))",
        (json_list(message_ids),),
    )
    return {
        row["message_id"]: QuestionnaireCard(
            row["id"], row["title"], bool(row["anonymous"]), row["closes_at"]
        )
        for row in rows
    }


class QuestionnaireQueries(QueryBase):
    # questionnaires

    async def insert_questionnaire(
        self, *, title: str, intro: str, anonymous: bool, created_by: int, now: str
    ) -> Questionnaire:
        row = await self._one(
            "INSERT INTO questionnaires (title, intro, anonymous, created_by, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (title, intro, int(anonymous), created_by, now, now),
        )
        assert row is not None
        return _questionnaire(row)

    async def update_questionnaire(
        self, questionnaire_id: int, *, title: str, intro: str, anonymous: bool, now: str
    ) -> Questionnaire:
        row = await self._one(
            "UPDATE questionnaires SET title = ?, intro = ?, anonymous = ?, updated_at = ?"
            " WHERE id = ? RETURNING *",
            (title, intro, int(anonymous), now, questionnaire_id),
        )
        assert row is not None
        return _questionnaire(row)

    async def delete_questionnaire(self, questionnaire_id: int) -> None:
        """A questionnaire that never opened (no card, answer or reminder refers to it)."""
        await self._all(
            "DELETE FROM questionnaire_questions WHERE questionnaire_id = ?", (questionnaire_id,)
        )
        await self._all("DELETE FROM questionnaires WHERE id = ?", (questionnaire_id,))

    async def load_questionnaire(self, questionnaire_id: int) -> Questionnaire | None:
        row = await self._one("SELECT * FROM questionnaires WHERE id = ?", (questionnaire_id,))
        return None if row is None else _questionnaire(row)

    async def list_questionnaires(self) -> list[Questionnaire]:
        """Every questionnaire, the newest first."""
        rows = await self._all("SELECT * FROM questionnaires ORDER BY id DESC")
        return [_questionnaire(row) for row in rows]

    async def list_assigned_questionnaires(
        self, *, closes_after: str | None = None
    ) -> list[Questionnaire]:
        """Assigned questionnaires (those still taking answers after `closes_after`, if
        given), the soonest to close first."""
        rows = await self._all(
            "SELECT * FROM questionnaires WHERE assigned_at IS NOT NULL"
            " AND (:after IS NULL OR closes_at > :after) ORDER BY closes_at, id",
            {"after": closes_after},
        )
        return [_questionnaire(row) for row in rows]

    async def assign_questionnaire(
        self, questionnaire_id: int, *, columns: dict[str, Any], now: str
    ) -> Questionnaire:
        if set(columns) != set(ASSIGNMENT_COLUMNS):
            raise ValueError(f"assignment columns must be exactly {ASSIGNMENT_COLUMNS}")
        pairs = columns["target_pairs"]
        row = await self._one(
            "UPDATE questionnaires SET assigned_at = :now, roles = :roles, target = :target,"
            " target_pairs = :target_pairs, started_from = :started_from,"
            " started_until = :started_until, opens_at = :opens_at, closes_at = :closes_at,"
            " updated_at = :now WHERE id = :id RETURNING *",
            {
                **columns,
                "roles": json_list(columns["roles"]),
                "target_pairs": None if pairs is None else json_list(pairs),
                "now": now,
                "id": questionnaire_id,
            },
        )
        assert row is not None
        return _questionnaire(row)

    async def unassign_questionnaire(self, questionnaire_id: int, now: str) -> Questionnaire:
        row = await self._one(
            "UPDATE questionnaires SET assigned_at = NULL, roles = NULL, target = NULL,"
            " target_pairs = NULL, started_from = NULL, started_until = NULL, opens_at = NULL,"
            " closes_at = NULL, updated_at = ? WHERE id = ? RETURNING *",
            (now, questionnaire_id),
        )
        assert row is not None
        return _questionnaire(row)

    async def set_questionnaire_closes_at(
        self, questionnaire_id: int, closes_at: str, now: str
    ) -> Questionnaire:
        row = await self._one(
            "UPDATE questionnaires SET closes_at = ?, updated_at = ? WHERE id = ? RETURNING *",
            (closes_at, now, questionnaire_id),
        )
        assert row is not None
        return _questionnaire(row)

    # questions

    async def list_questions(self, questionnaire_id: int) -> list[Question]:
        rows = await self._all(
            "SELECT * FROM questionnaire_questions WHERE questionnaire_id = ?"
            " ORDER BY position, id",
            (questionnaire_id,),
        )
        return [_question(row) for row in rows]

    async def insert_question(
        self,
        questionnaire_id: int,
        *,
        kind: str,
        prompt: str,
        options: list[str],
        required: bool,
        position: int,
    ) -> Question:
        row = await self._one(
            "INSERT INTO questionnaire_questions (questionnaire_id, position, kind, prompt,"
            " options, required) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (questionnaire_id, position, kind, prompt, json_list(options), int(required)),
        )
        assert row is not None
        return _question(row)

    async def update_question(
        self, question_id: int, *, kind: str, prompt: str, options: list[str], required: bool
    ) -> Question:
        row = await self._one(
            "UPDATE questionnaire_questions SET kind = ?, prompt = ?, options = ?, required = ?"
            " WHERE id = ? RETURNING *",
            (kind, prompt, json_list(options), int(required), question_id),
        )
        assert row is not None
        return _question(row)

    async def delete_question(self, question_id: int) -> None:
        await self._all("DELETE FROM questionnaire_questions WHERE id = ?", (question_id,))

    async def reorder_questions(self, question_ids: list[int]) -> None:
        """Number these questions 1, 2, … in this order."""
        await self._all(
            "UPDATE questionnaire_questions SET position = o.key + 1"
            " FROM json_each(?) o WHERE questionnaire_questions.id = o.value",
            (json_list(question_ids),),
        )

    # cards

    async def list_questionnaire_cards(self, questionnaire_id: int) -> dict[int, int | None]:
        """{channel id: the card's message id} of every place that has the card."""
        rows = await self._all(
            "SELECT channel_id, message_id FROM questionnaire_cards WHERE questionnaire_id = ?",
            (questionnaire_id,),
        )
        return {row[0]: row[1] for row in rows}

    async def claim_questionnaire_card(self, questionnaire_id: int, channel_id: int) -> bool:
        """Claim the one card of this questionnaire in this channel; False if it was posted."""
        rows = await self._all(
            "INSERT INTO questionnaire_cards (questionnaire_id, channel_id) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING RETURNING channel_id",
            (questionnaire_id, channel_id),
        )
        return bool(rows)

    async def attach_questionnaire_card(
        self, questionnaire_id: int, channel_id: int, message_id: int
    ) -> None:
        await self._all(
            "UPDATE questionnaire_cards SET message_id = ?"
            " WHERE questionnaire_id = ? AND channel_id = ?",
            (message_id, questionnaire_id, channel_id),
        )

    # who has answered, and the reminders

    async def list_respondents(self, questionnaire_id: int) -> dict[int, str]:
        """{user id: the role they answered in} of everyone who has answered."""
        rows = await self._all(
            "SELECT user_id, role FROM questionnaire_respondents WHERE questionnaire_id = ?",
            (questionnaire_id,),
        )
        return {row[0]: row[1] for row in rows}

    async def count_respondents(self) -> dict[int, int]:
        """{questionnaire id: how many have answered}."""
        rows = await self._all(
            "SELECT questionnaire_id, count(*) FROM questionnaire_respondents"
            " GROUP BY questionnaire_id"
        )
        return {row[0]: row[1] for row in rows}

    async def list_answered_by(self, user_id: int) -> set[int]:
        """The questionnaires this person has answered."""
        rows = await self._all(
            "SELECT questionnaire_id FROM questionnaire_respondents WHERE user_id = ?", (user_id,)
        )
        return {row[0] for row in rows}

    async def add_respondent(self, questionnaire_id: int, user_id: int, role: str) -> bool:
        """Record that the person has answered; False when they had already."""
        rows = await self._all(
            "INSERT INTO questionnaire_respondents (questionnaire_id, user_id, role)"
            " VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING user_id",
            (questionnaire_id, user_id, role),
        )
        return bool(rows)

    async def list_questionnaire_reminders(self, questionnaire_id: int) -> set[tuple[int, str]]:
        """(user id, moment) of every reminder claimed."""
        rows = await self._all(
            "SELECT user_id, moment FROM questionnaire_reminders WHERE questionnaire_id = ?",
            (questionnaire_id,),
        )
        return {(row[0], row[1]) for row in rows}

    async def claim_questionnaire_reminders(
        self, questionnaire_id: int, user_ids: list[int], moment: str
    ) -> list[int]:
        """Claim the `moment` reminder for each of these people; those not claimed before."""
        rows = await self._all(
            "INSERT INTO questionnaire_reminders (questionnaire_id, user_id, moment)"
            " SELECT ?, value, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"
            " RETURNING user_id",
            (questionnaire_id, moment, json_list(user_ids)),
        )
        return sorted(row[0] for row in rows)

    # answers

    async def save_named_answers(
        self, questionnaire_id: int, user_id: int, answers: dict[str, Any], now: str
    ) -> bool:
        """The person's answers, new (True) or replacing theirs (False)."""
        changed = await self._all(
            "UPDATE questionnaire_answers SET answers = ?, changed_at = ?"
            " WHERE questionnaire_id = ? AND user_id = ? RETURNING user_id",
            (json.dumps(answers), now, questionnaire_id, user_id),
        )
        if changed:
            return False
        await self._all(
            "INSERT INTO questionnaire_answers (questionnaire_id, user_id, answers, answered_at)"
            " VALUES (?, ?, ?, ?)",
            (questionnaire_id, user_id, json.dumps(answers), now),
        )
        return True

    async def insert_anonymous_answers(
        self, questionnaire_id: int, token: str, answers: dict[str, Any]
    ) -> None:
        """Answers with no person and no time: only the questionnaire and a random token."""
        await self._all(
            "INSERT INTO questionnaire_anonymous_answers (questionnaire_id, token, answers)"
            " VALUES (?, ?, ?)",
            (questionnaire_id, token, json.dumps(answers)),
        )

    async def hold_anonymous_answers(self, questionnaire_id: int, holder: str, sealed: str) -> None:
        """Keep sealed answers until they are released; a later one of the same holder (a retry
        after a failure) replaces the earlier."""
        await self._all(
            "INSERT INTO questionnaire_held_answers (questionnaire_id, holder, sealed)"
            " VALUES (?, ?, ?) ON CONFLICT (questionnaire_id, holder)"
            " DO UPDATE SET sealed = excluded.sealed",
            (questionnaire_id, holder, sealed),
        )

    async def list_held_answers(self, questionnaire_id: int) -> list[tuple[str, str]]:
        """(holder, sealed) of every answer of this questionnaire waiting to be released."""
        rows = await self._all(
            "SELECT holder, sealed FROM questionnaire_held_answers WHERE questionnaire_id = ?"
            " ORDER BY holder",
            (questionnaire_id,),
        )
        return [(row[0], row[1]) for row in rows]

    async def list_holding_questionnaires(self) -> list[int]:
        """The questionnaires with answers waiting to be released."""
        rows = await self._all(
            "SELECT DISTINCT questionnaire_id FROM questionnaire_held_answers"
            " ORDER BY questionnaire_id"
        )
        return [row[0] for row in rows]

    async def delete_held_answers(self, questionnaire_id: int, holders: list[str]) -> None:
        await self._all(
            "DELETE FROM questionnaire_held_answers WHERE questionnaire_id = ?"
            " AND holder IN (SELECT value FROM json_each(?))",
            (questionnaire_id, json_list(holders)),
        )

    async def load_named_answers(self, questionnaire_id: int, user_id: int) -> AnswerSet | None:
        row = await self._one(
            "SELECT * FROM questionnaire_answers WHERE questionnaire_id = ? AND user_id = ?",
            (questionnaire_id, user_id),
        )
        return None if row is None else _named(row)

    async def list_answer_sets(self, questionnaire_id: int, *, anonymous: bool) -> list[AnswerSet]:
        """Every answer given: named ones by person; anonymous ones in the order of their
        random tokens, which is no order at all."""
        if anonymous:
            rows = await self._all(
                "SELECT answers FROM questionnaire_anonymous_answers WHERE questionnaire_id = ?"
                " ORDER BY token",
                (questionnaire_id,),
            )
            return [AnswerSet(json.loads(row["answers"])) for row in rows]
        rows = await self._all(
            "SELECT * FROM questionnaire_answers WHERE questionnaire_id = ? ORDER BY user_id",
            (questionnaire_id,),
        )
        return [_named(row) for row in rows]


def _named(row: sqlite3.Row) -> AnswerSet:
    return AnswerSet(
        json.loads(row["answers"]), row["user_id"], row["answered_at"], row["changed_at"]
    )
