"""The results of a questionnaire, for coordinators only: per question how many answered and,
for choices and scales, how many chose each option; free-text answers listed; the response
rate per role.

A named questionnaire's free-text answers carry their author's name (the form told them so),
and the people asked who have not answered are listed.  An anonymous one shows neither: its
answers are shown only once it has closed and at least MIN_ANONYMOUS people answered, so that
no answer can be picked out by watching the results change as people answer, and their order
is the order of random keys.  They are the released answers (releasing.py): reading the results
of a closed one first releases what still waits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock
from channels.policy import check_coordinator
from channels.questionnaires.assigning import Overview, load_overview
from channels.questionnaires.audience import ROLES, audience_of, load_population, reach
from channels.questionnaires.questions import CHOICES, SCALE, TEXTS
from channels.questionnaires.releasing import BATCH, release_due
from channels.questionnaires.sealing import Seal
from storage import Store
from storage.records import AnswerSet, Question, User

MIN_ANONYMOUS = BATCH  # the smallest batch of released answers, for the same reason


@dataclass(frozen=True)
class OptionCount:
    label: str
    count: int


@dataclass(frozen=True)
class TextAnswer:
    text: str
    author: User | None  # None for an anonymous answer


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    position: int
    answered: int  # people who answered this question
    counts: list[OptionCount]  # choices and scales
    texts: list[TextAnswer]  # free text
    mean: float | None = None  # scales


@dataclass(frozen=True)
class RoleRate:
    role: str
    asked: int
    answered: int


@dataclass(frozen=True)
class Results:
    overview: Overview
    rates: list[RoleRate]
    questions: list[QuestionResult]
    withheld: str | None  # why the answers are not shown (yet)
    waiting: list[User]  # named questionnaires: asked, not answered yet


def scale_label(question: Question, value: int) -> str:
    words = question.options
    if words and value == SCALE[0] and words[0]:
        return f"{value}: {words[0]}"
    if words and value == SCALE[-1] and words[1]:
        return f"{value}: {words[1]}"
    return str(value)


def tally_question(
    question: Question, position: int, answer_sets: list[AnswerSet], people: dict[int, User]
) -> QuestionResult:
    key = str(question.id)
    given = [(a, a.answers[key]) for a in answer_sets if key in a.answers]
    if question.kind in TEXTS:
        texts = [
            TextAnswer(str(value), people.get(a.user_id) if a.user_id is not None else None)
            for a, value in given
        ]
        return QuestionResult(question, position, len(given), [], texts)
    tally: Counter[Any] = Counter()
    for _, value in given:
        tally.update(value if isinstance(value, list) else [value])
    if question.kind in CHOICES:
        counts = [OptionCount(label, tally[i]) for i, label in enumerate(question.options)]
        return QuestionResult(question, position, len(given), counts, [])
    counts = [OptionCount(scale_label(question, v), tally[v]) for v in SCALE]
    mean = sum(v * n for v, n in tally.items()) / len(given) if given else None
    return QuestionResult(question, position, len(given), counts, [], mean)


async def load_results(
    store: Store, user: User, questionnaire_id: int, *, seal: Seal, clock: Clock = SYSTEM_CLOCK
) -> Results:
    check_coordinator(user)
    overview = await load_overview(store, user, questionnaire_id, clock=clock)
    questionnaire = overview.questionnaire
    respondents = await store.list_respondents(questionnaire.id)
    audience = audience_of(questionnaire)
    asked_roles: dict[int, str] = {}
    if audience is not None:
        asked_roles = dict(reach(audience, await load_population(store)).roles)
    roles = {**asked_roles, **respondents}  # someone who answered counts as asked, in that role
    rates = [
        RoleRate(
            role,
            sum(1 for r in roles.values() if r == role),
            sum(1 for r in respondents.values() if r == role),
        )
        for role in ROLES
        if audience is None or role in audience.roles or role in respondents.values()
    ]
    withheld = None
    if questionnaire.anonymous and overview.state != "closed":
        withheld = (
            "The answers of an anonymous questionnaire are shown once it has closed, so that "
            "nobody's answer can be picked out as the answers come in."
        )
    elif questionnaire.anonymous and len(respondents) < MIN_ANONYMOUS:
        withheld = (
            f"Fewer than {MIN_ANONYMOUS} people answered, so the answers of this anonymous "
            "questionnaire are not shown: they could be traced to the people who gave them."
        )
    questions: list[QuestionResult] = []
    waiting: list[User] = []
    if withheld is None and questionnaire.anonymous:
        await release_due(store, seal, questionnaire.id, clock.now())
    if withheld is None:
        answer_sets = await store.list_answer_sets(
            questionnaire.id, anonymous=questionnaire.anonymous
        )
        people = await store.load_users([a.user_id for a in answer_sets if a.user_id is not None])
        questions = [
            tally_question(q, n, answer_sets, people)
            for n, q in enumerate(overview.questions, start=1)
        ]
    if not questionnaire.anonymous:
        missing = [u for u in asked_roles if u not in respondents]
        found = await store.load_users(missing)
        waiting = sorted(found.values(), key=lambda u: (u.name.casefold(), u.id))
    return Results(overview, rates, questions, withheld, waiting)


def percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0
