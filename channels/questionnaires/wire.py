"""How questionnaires look on the wire.  A person sees the questionnaires that ask them and
their own answers; coordinators see the questionnaires whole and the results.  A card in a
channel carries what every reader of it may see: never who answered."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from channels.questionnaires.answering import Answering, Mine
from channels.questionnaires.assigning import Overview
from channels.questionnaires.audience import audience_of
from channels.questionnaires.results import Results
from channels.render import render_markdown
from channels.tasks.rules import target_json
from storage.records import Question, Questionnaire, QuestionnaireCard


def intro_html(questionnaire: Questionnaire) -> str:
    return render_markdown(questionnaire.intro) if questionnaire.intro.strip() else ""


def question_json(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "position": question.position,
        "kind": question.kind,
        "prompt": question.prompt,
        "required": question.required,
        "options": list(question.options),
    }


def _basics(questionnaire: Questionnaire, state: str) -> dict[str, Any]:
    return {
        "id": questionnaire.id,
        "title": questionnaire.title,
        "anonymous": questionnaire.anonymous,
        "state": state,
        "opens_at": questionnaire.opens_at,
        "closes_at": questionnaire.closes_at,
    }


def assignment_json(questionnaire: Questionnaire, zone: ZoneInfo) -> dict[str, Any] | None:
    audience = audience_of(questionnaire)
    if audience is None:
        return None
    return {
        "roles": list(audience.roles),
        "target": target_json(audience.target, zone),
        "assigned_at": questionnaire.assigned_at,
    }


def overview_json(overview: Overview, zone: ZoneInfo) -> dict[str, Any]:
    """A questionnaire as coordinators see it."""
    questionnaire = overview.questionnaire
    return {
        **_basics(questionnaire, overview.state),
        "intro": questionnaire.intro,
        "intro_html": intro_html(questionnaire),
        "questions": [question_json(q) for q in overview.questions],
        "assignment": assignment_json(questionnaire, zone),
        "asked": overview.asked,
        "answered": overview.answered,
        "created_at": questionnaire.created_at,
        "updated_at": questionnaire.updated_at,
    }


def mine_json(mine: Mine) -> dict[str, Any]:
    """A questionnaire in a person's list."""
    return {**_basics(mine.questionnaire, mine.state), "answered": mine.answered}


def answering_json(answering: Answering) -> dict[str, Any]:
    """A questionnaire as the person answering it sees it, with their own named answers."""
    questionnaire, mine = answering.questionnaire, answering.mine
    return {
        **_basics(questionnaire, answering.state),
        "intro": questionnaire.intro,
        "intro_html": intro_html(questionnaire),
        "questions": [question_json(q) for q in answering.questions],
        "answered": answering.answered,
        "answers": None if mine is None else mine.answers,
        "answered_at": None if mine is None else mine.answered_at,
        "changed_at": None if mine is None else mine.changed_at,
        "can_change": answering.state == "open" and not questionnaire.anonymous,
    }


def results_json(results: Results) -> dict[str, Any]:
    overview = results.overview
    return {
        "questionnaire": _basics(overview.questionnaire, overview.state),
        "asked": overview.asked,
        "answered": overview.answered,
        "rates": [
            {"role": r.role, "asked": r.asked, "answered": r.answered} for r in results.rates
        ],
        "withheld": results.withheld,
        "questions": [
            {
                "id": r.question.id,
                "position": r.position,
                "kind": r.question.kind,
                "prompt": r.question.prompt,
                "answered": r.answered,
                "counts": [{"label": c.label, "count": c.count} for c in r.counts],
                "mean": r.mean,
                "texts": [
                    {
                        "text": t.text,
                        "author": None
                        if t.author is None
                        else {"id": t.author.id, "name": t.author.name},
                    }
                    for t in r.texts
                ],
            }
            for r in results.questions
        ],
        "waiting": [{"id": u.id, "name": u.name} for u in results.waiting],
    }


def card_json(card: QuestionnaireCard) -> dict[str, Any]:
    """The card of a message of kind 'questionnaire': the same for every reader."""
    return {
        "id": card.id,
        "title": card.title,
        "anonymous": card.anonymous,
        "closes_at": card.closes_at,
        "url": f"/questionnaires/{card.id}",
    }
