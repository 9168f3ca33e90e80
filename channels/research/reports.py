"""The research reports: figures of use and outcomes for a date range, a cohort and a role.

Every table counts consenting participants only (storage/queries/research.py), shows no word
anyone wrote and no name, and suppresses each cell that counts fewer than `min_cell` people
(or pairs): its figures are left empty, so nobody can be picked out of a small group.  Pairs
appear under pseudonyms salted anew for each report: stable within one export, different in
the next, and never the id a coordinator sees elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid
from channels.input import check_date, check_object
from channels.languages import N_
from channels.policy import PARTICIPANTS, Actor
from channels.questionnaires.results import tally_question
from channels.research.usage import FEATURES, week_of
from storage import Store

MIN_CELL = 5  # the default: the programme's setting (report_min_cell) overrides it
DEFAULT_WEEKS = 12
MAX_DAYS = 3 * 366
COHORT = re.compile(r"\d{4}-\d{2}")
GOAL_STATUSES = ("not_started", "in_progress", "achieved", "dropped")

Value = str | int | float | None  # None: suppressed, or nothing to show


@dataclass(frozen=True)
class Filters:
    since: date  # the first day of the range
    until: date  # the last day, included
    cohort: str | None  # a month of first pairings, '2026-03'; None: every cohort
    role: str | None  # 'mentor' or 'mentee'; None: both

    @property
    def starts(self) -> str:
        return iso(datetime.combine(self.since, time(0), tzinfo=UTC))

    @property
    def ends(self) -> str:
        """The first instant after the range."""
        return iso(datetime.combine(self.until + timedelta(days=1), time(0), tzinfo=UTC))

    def as_query(self) -> dict[str, str]:
        """The filters as they go in a link (the page, an export)."""
        return {
            "from": self.since.isoformat(),
            "to": self.until.isoformat(),
            "cohort": self.cohort or "",
            "role": self.role or "",
        }


def check_filters(payload: Any, *, clock: Clock = SYSTEM_CLOCK) -> Filters:
    """`payload`: {from?, to?, cohort?, role?} as strings (empty: the default).  By default
    the last twelve weeks up to today, every cohort, both roles."""
    payload = check_object(payload)
    today = clock.now().astimezone(UTC).date()
    until = check_date(payload["to"], "'to'") if payload.get("to") else today
    since = (
        check_date(payload["from"], "'from'")
        if payload.get("from")
        else until - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
    )
    if since > until:
        raise Invalid(N_("'from' must not be after 'to'."))
    if (until - since).days > MAX_DAYS:
        raise Invalid(N_("A report covers at most three years: choose a shorter range."))
    cohort = payload.get("cohort") or None
    if cohort is not None and not (isinstance(cohort, str) and COHORT.fullmatch(cohort)):
        raise Invalid(N_("'cohort' is the month the pairs started, like \"2026-03\"."))
    role = payload.get("role") or None
    if role is not None and role not in PARTICIPANTS:
        raise Invalid(N_("'role' is mentor or mentee (or empty for both)."))
    return Filters(since, until, cohort, role)


@dataclass(frozen=True)
class Table:
    """One table of a report: what the page draws, and one CSV or JSON export."""

    name: str
    title: str
    note: str  # what it counts, in a sentence
    columns: tuple[str, ...]
    rows: list[tuple[Value, ...]] = field(default_factory=list)

    @property
    def suppressed(self) -> int:
        return sum(1 for row in self.rows if None in row)


class Pseudonyms:
    """Names for pairs, from a salt made for one report: stable within it, unlinkable across."""

    def __init__(self) -> None:
        self._salt = secrets.token_bytes(16)

    def name(self, kind: str, record_id: int) -> str:
        digest = hmac.new(self._salt, f"{kind}:{record_id}".encode(), hashlib.sha256)
        return f"{kind}-{digest.hexdigest()[:10]}"


@dataclass(frozen=True)
class Report:
    filters: Filters
    min_cell: int
    tables: list[Table]
    weeks: list[str]  # the Mondays of the range's weeks, for the charts
    cohorts: list[str]  # to choose from
    consenting: dict[str, int]  # consenting participants by role, today

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def _small(count: int, min_cell: int) -> bool:
    return 0 < count < min_cell


def _weeks(filters: Filters) -> list[str]:
    first = date.fromisoformat(week_of(filters.since))
    count = (filters.until - first).days // 7 + 1
    return [(first + timedelta(weeks=n)).isoformat() for n in range(count)]


Builder = Callable[[Store, Filters, int, Pseudonyms], Awaitable[Table]]


async def _usage(store: Store, f: Filters, k: int, _: Pseudonyms) -> Table:
    cells = await store.list_usage(
        since_week=week_of(f.since), until_week=week_of(f.until), cohort=f.cohort, role=f.role
    )
    rows: list[tuple[Value, ...]] = []
    for c in cells:
        hidden = _small(c.people, k)
        label = FEATURES.get(c.feature, c.feature)
        rows.append(
            (
                c.week,
                c.feature,
                label,
                c.role,
                None if hidden else c.people,
                None if hidden else c.uses,
            )
        )
    return Table(
        "usage",
        "Use of each feature, per week and role",
        "How many consenting people used each feature in each week (the week's Monday), and "
        "how many times: never what they wrote, searched for or opened.",
        ("week", "feature", "what", "role", "people", "uses"),
        rows,
    )


async def _pairs(store: Store, f: Filters, _: int, names: Pseudonyms) -> Table:
    weeks = await store.list_pair_weeks(since=f.starts, until=f.ends, cohort=f.cohort)
    return Table(
        "pairs",
        "Pair engagement: messages per week",
        "Messages the two people of each pair wrote in their pair channel per week, as "
        "numbers only; pairs where both consent, under names made for this report alone.",
        ("pair", "week", "messages"),
        [(names.name("pair", w.pair_id), w.week, w.messages) for w in weeks],
    )


async def _tasks(store: Store, f: Filters, k: int, _: Pseudonyms) -> Table:
    weeks = await store.list_task_weeks(since=f.starts, until=f.ends, cohort=f.cohort)
    rows: list[tuple[Value, ...]] = []
    for w in weeks:
        hidden = _small(w.pairs, k)
        rows.append((w.week, *((None, None, None) if hidden else (w.pairs, w.posted, w.done))))
    return Table(
        "tasks",
        "Task completion",
        "Tasks posted into pairs in each week, and how many of them are done now.",
        ("week", "pairs", "posted", "done"),
        rows,
    )


async def _goals(store: Store, f: Filters, k: int, _: Pseudonyms) -> Table:
    counts = {c.status: c for c in await store.count_goal_statuses(until=f.ends, cohort=f.cohort)}
    rows: list[tuple[Value, ...]] = []
    for status in GOAL_STATUSES:
        c = counts.get(status)
        goals, pairs = (c.goals, c.pairs) if c else (0, 0)
        hidden = _small(pairs, k)
        rows.append(
            (status.replace("_", " "), None if hidden else goals, None if hidden else pairs)
        )
    return Table(
        "goals",
        "Goals by status",
        "Goals the pairs set by the end of the range, by where they stand now: how many, and "
        "in how many pairs.  Never what a goal says.",
        ("status", "goals", "pairs"),
        rows,
    )


async def _satisfaction(store: Store, f: Filters, k: int, _: Pseudonyms) -> Table:
    scores = await store.count_research_scores(
        since=f.starts, until=f.ends, cohort=f.cohort, role=f.role
    )
    return Table(
        "satisfaction",
        "Satisfaction: the distribution of scores",
        "How many people gave each score (1 to 5) to the relationship and to progress toward "
        "the goal, by role.  Never a comment.",
        ("question", "role", "score", "people"),
        [(s.question, s.role, s.score, None if _small(s.count, k) else s.count) for s in scores],
    )


async def _questionnaires(store: Store, f: Filters, k: int, _: Pseudonyms) -> Table:
    rows: list[tuple[Value, ...]] = []
    for questionnaire in await store.list_assigned_questionnaires():
        opens, closes = questionnaire.opens_at, questionnaire.closes_at
        if questionnaire.anonymous or opens is None or closes is None:
            continue  # anonymous answers cannot be checked against consent: left out
        if not (opens < f.ends and closes > f.starts):
            continue
        answered = await store.list_research_answer_sets(
            questionnaire.id, cohort=f.cohort, role=f.role
        )
        answer_sets = [answers for _, answers in answered]
        for role in PARTICIPANTS:
            count = sum(1 for r, _ in answered if r == role)
            if f.role in (None, role):
                rows.append(
                    (questionnaire.title, "(answered)", role, None if _small(count, k) else count)
                )
        questions = await store.list_questions(questionnaire.id)
        for n, question in enumerate(questions, start=1):
            result = tally_question(question, n, answer_sets, {})
            for option in result.counts:  # choices and scales: free text is never here
                count = option.count
                rows.append(
                    (questionnaire.title, f"{n}. {question.prompt}", option.label,
                     None if _small(count, k) else count)
                )  # fmt: skip
    return Table(
        "questionnaires",
        "Questionnaire results",
        "How many consenting people answered each questionnaire that was open in the range, "
        "by role, and how many chose each answer of its choice and scale questions.  Free "
        "text and anonymous questionnaires are on each questionnaire's results page only.",
        ("questionnaire", "question", "answer", "people"),
        rows,
    )


async def _feedback(store: Store, f: Filters, k: int, _: Pseudonyms) -> Table:
    waits = await store.list_feedback_waits(since=f.starts, until=f.ends)
    by_week: dict[str, list[float | None]] = {}
    for wait in waits:
        by_week.setdefault(wait.week, []).append(wait.seconds)
    rows: list[tuple[Value, ...]] = []
    for week, seconds in sorted(by_week.items()):
        answered = [s for s in seconds if s is not None]
        if _small(len(seconds), k):
            rows.append((week, None, None, None))
            continue
        median = round(statistics.median(answered) / 3600, 1) if answered else None
        rows.append((week, len(seconds), len(answered), median))
    return Table(
        "feedback",
        "Feedback and how fast coordinators answered",
        "Feedback received per week, how much of it a coordinator has answered, and the "
        "median time to the first answer in hours.",
        ("week", "received", "answered", "median_hours"),
        rows,
    )


BUILDERS: dict[str, Builder] = {
    "usage": _usage,
    "pairs": _pairs,
    "tasks": _tasks,
    "goals": _goals,
    "satisfaction": _satisfaction,
    "questionnaires": _questionnaires,
    "feedback": _feedback,
}


def check_table_name(name: str) -> str:
    if name not in BUILDERS:
        raise Invalid(
            N_("There is no report table '%(name)s': choose one of %(tables)s."),
            name=name,
            tables=", ".join(BUILDERS),
        )
    return name


async def build_report(
    store: Store,
    actor: Actor,
    filters: Filters,
    *,
    min_cell: int = MIN_CELL,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """The report (or the tables named in `only`), for a coordinator (`check_coordinator`
    made `actor`) or the command line.  `progress` hears each table's name as it is done."""
    del actor  # the proof that someone allowed asked: reports change nothing, log nothing
    names = Pseudonyms()
    tables = []
    for name in only or list(BUILDERS):
        tables.append(await BUILDERS[check_table_name(name)](store, filters, min_cell, names))
        if progress is not None:
            progress(name)
    return Report(
        filters,
        min_cell,
        tables,
        _weeks(filters),
        await store.list_cohorts(),
        await store.count_consenting(),
    )
