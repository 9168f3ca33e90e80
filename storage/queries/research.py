"""Research: the usage record, consent, and the figures of the reports.

Every figure here counts only consenting participants (their latest decision is yes), never
reads a word anyone wrote, and names no one: people are counted, and a pair is named by its id
only for the caller to replace with a pseudonym salted for one export.
"""

from __future__ import annotations

import json
import secrets

from ..records import (
    AnswerSet,
    ConsentDecision,
    FeedbackWait,
    PairWeek,
    ScoreCount,
    StatusCount,
    TaskWeek,
    UsageCell,
)
from .base import QueryBase, record

# The people whose latest decision is yes.
_CONSENTING = (
    "(SELECT c.user_id FROM research_consent c WHERE c.consented = 1"
    " AND c.id = (SELECT max(id) FROM research_consent WHERE user_id = c.user_id))"
)
# A person's cohort: the month of their first pairing ('' before it).  `who` is their id.
_COHORT_OF = (
    "coalesce((SELECT substr(min(p.started_at), 1, 7) FROM pairs p"
    " WHERE p.mentor_id = {who} OR p.mentee_id = {who}), '')"
)
# A pair counts when both its people consent, its cohort (the month it started) is the one
# asked for (:cohort NULL: every cohort), and it had begun by the end of the range.
_PAIRS_COUNTED = (
    "SELECT p.id, p.channel_id FROM pairs p"
    " WHERE p.mentor_id IN "
    + _CONSENTING
    + " AND p.mentee_id IN "
    + _CONSENTING
    + " AND (:cohort IS NULL OR substr(p.started_at, 1, 7) = :cohort) AND p.started_at < :until"
)
# The Monday of a time's week (SQLite: 'weekday 0' is the Sunday on or after it).
_WEEK = "date({at}, 'weekday 0', '-6 days')"


class ResearchQueries(QueryBase):
    # the record

    async def add_use(
        self, user_id: int, feature: str, week: str, *, channel_id: int | None = None
    ) -> None:
        """One use of `feature` in `week` by a participant who consents now: nothing is
        recorded of coordinators, of people who said no, or of those not asked yet.  With
        `channel_id`, `feature` is a prefix that the channel's kind completes ('message.' +
        'pair'), read inside the write that posts the message."""
        await self._all(
            "INSERT INTO usage_counts (week, feature, role, cohort, person, uses)"
            " SELECT :week, :feature || coalesce((SELECT kind FROM channels WHERE id = :channel),"
            " ''), u.role, " + _COHORT_OF.format(who="u.id") + ", u.research_id, 1"
            " FROM users u WHERE u.id = :user AND u.role IN ('mentor', 'mentee')"
            " AND (SELECT consented FROM research_consent WHERE user_id = u.id"
            " ORDER BY id DESC LIMIT 1) = 1"
            " ON CONFLICT (week, feature, role, cohort, person) DO UPDATE SET uses = usage_counts.uses + 1",
            {"week": week, "feature": feature, "channel": channel_id, "user": user_id},
        )

    # consent

    async def insert_consent(self, user_id: int, consented: bool, now: str) -> None:
        """Record a decision; a first yes gives the person their random research id."""
        await self._all(
            "INSERT INTO research_consent (user_id, consented, decided_at) VALUES (?, ?, ?)",
            (user_id, int(consented), now),
        )
        if consented:
            await self._all(
                "UPDATE users SET research_id = ? WHERE id = ? AND research_id IS NULL",
                (secrets.token_hex(16), user_id),
            )

    async def load_consent(self, user_id: int) -> ConsentDecision | None:
        """The person's latest decision, or None when they have not been asked yet."""
        row = await self._one(
            "SELECT consented, decided_at FROM research_consent WHERE user_id = ?"
            " ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return None if row is None else ConsentDecision(bool(row[0]), row[1])

    async def count_consenting(self) -> dict[str, int]:
        """Consenting participants by role."""
        rows = await self._all(
            "SELECT role, count(*) FROM users WHERE id IN " + _CONSENTING + " AND disabled = 0"
            " GROUP BY role"
        )
        return {row[0]: row[1] for row in rows}

    # the figures

    async def list_cohorts(self) -> list[str]:
        rows = await self._all(
            "SELECT DISTINCT substr(started_at, 1, 7) FROM pairs ORDER BY 1 DESC"
        )
        return [row[0] for row in rows]

    async def list_usage(
        self, *, since_week: str, until_week: str, cohort: str | None, role: str | None
    ) -> list[UsageCell]:
        """Per week, feature and role: how many consenting people used it, how often."""
        rows = await self._all(
            "SELECT k.week, k.feature, k.role, count(DISTINCT k.person) AS people,"
            " sum(k.uses) AS uses FROM usage_counts k JOIN users u ON u.research_id = k.person"
            " WHERE k.week BETWEEN :since AND :until AND u.id IN "
            + _CONSENTING
            + " AND (:cohort IS NULL OR k.cohort = :cohort) AND (:role IS NULL OR k.role = :role)"
            " GROUP BY k.week, k.feature, k.role ORDER BY k.week, k.feature, k.role",
            {"since": since_week, "until": until_week, "cohort": cohort, "role": role},
        )
        return [record(UsageCell, row) for row in rows]

    async def list_pair_weeks(
        self, *, since: str, until: str, cohort: str | None
    ) -> list[PairWeek]:
        """Messages people wrote per week in each counted pair's channel (weeks with none are
        left out)."""
        rows = await self._all(
            "WITH counted AS (" + _PAIRS_COUNTED + ")"
            " SELECT c.id AS pair_id, " + _WEEK.format(at="m.created_at") + " AS week,"
            " count(*) AS messages FROM counted c JOIN messages m ON m.channel_id = c.channel_id"
            " WHERE m.kind = 'text' AND m.author_id IS NOT NULL"
            " AND m.created_at >= :since AND m.created_at < :until"
            " GROUP BY c.id, week ORDER BY c.id, week",
            {"since": since, "until": until, "cohort": cohort},
        )
        return [record(PairWeek, row) for row in rows]

    async def list_task_weeks(
        self, *, since: str, until: str, cohort: str | None
    ) -> list[TaskWeek]:
        """Tasks posted into counted pairs per week of posting, and how many are done."""
        rows = await self._all(
            "WITH counted AS (" + _PAIRS_COUNTED + ")"
            " SELECT " + _WEEK.format(at="o.posted_at") + " AS week,"
            " count(DISTINCT o.pair_id) AS pairs, count(*) AS posted, count(o.done_at) AS done"
            " FROM task_occurrences o JOIN counted c ON c.id = o.pair_id"
            " WHERE o.posted_at >= :since AND o.posted_at < :until GROUP BY week ORDER BY week",
            {"since": since, "until": until, "cohort": cohort},
        )
        return [record(TaskWeek, row) for row in rows]

    async def count_goal_statuses(self, *, until: str, cohort: str | None) -> list[StatusCount]:
        """Goals of counted pairs set by the end of the range, by their status now."""
        rows = await self._all(
            "WITH counted AS (" + _PAIRS_COUNTED + ")"
            " SELECT g.status, count(*) AS goals, count(DISTINCT g.pair_id) AS pairs"
            " FROM goals g JOIN counted c ON c.id = g.pair_id WHERE g.created_at < :until"
            " GROUP BY g.status",
            {"until": until, "cohort": cohort},
        )
        return [record(StatusCount, row) for row in rows]

    async def count_research_scores(
        self, *, since: str, until: str, cohort: str | None, role: str | None
    ) -> list[ScoreCount]:
        """The satisfaction scores consenting people gave in the range: the distribution."""
        where = (
            " FROM satisfaction_answers a WHERE a.answered_at >= :since AND a.answered_at < :until"
            " AND a.user_id IN " + _CONSENTING + " AND (:role IS NULL OR a.role = :role)"
            " AND (:cohort IS NULL OR " + _COHORT_OF.format(who="a.user_id") + " = :cohort)"
        )
        rows = await self._all(
            "SELECT 'relationship' AS question, a.role, a.relationship AS score, count(*) AS count"
            + where
            + " GROUP BY a.role, a.relationship UNION ALL"
            " SELECT 'progress', a.role, a.progress, count(*)"
            + where
            + " GROUP BY a.role, a.progress ORDER BY question DESC, role, score",
            {"since": since, "until": until, "cohort": cohort, "role": role},
        )
        return [record(ScoreCount, row) for row in rows]

    async def list_research_answer_sets(
        self, questionnaire_id: int, *, cohort: str | None, role: str | None
    ) -> list[tuple[str, AnswerSet]]:
        """The named answers of consenting people (each with the role they answered in).
        Anonymous answers are never here: nothing ties them to a person's consent."""
        rows = await self._all(
            "SELECT r.role, a.answers FROM questionnaire_answers a"
            " JOIN questionnaire_respondents r"
            " ON r.questionnaire_id = a.questionnaire_id AND r.user_id = a.user_id"
            " WHERE a.questionnaire_id = :id AND a.user_id IN "
            + _CONSENTING
            + " AND (:role IS NULL OR r.role = :role)"
            " AND (:cohort IS NULL OR " + _COHORT_OF.format(who="a.user_id") + " = :cohort)",
            {"id": questionnaire_id, "cohort": cohort, "role": role},
        )
        return [(row[0], AnswerSet(json.loads(row[1]))) for row in rows]

    async def list_feedback_waits(self, *, since: str, until: str) -> list[FeedbackWait]:
        """Feedback from consenting people in the range: its week, and how long it waited for
        a coordinator's answer (None: not answered yet)."""
        rows = await self._all(
            "SELECT " + _WEEK.format(at="created_at") + " AS week,"
            " (julianday(answered_at) - julianday(created_at)) * 86400 AS seconds"
            " FROM feedback WHERE created_at >= :since AND created_at < :until"
            " AND user_id IN " + _CONSENTING + " ORDER BY created_at",
            {"since": since, "until": until},
        )
        return [record(FeedbackWait, row) for row in rows]
