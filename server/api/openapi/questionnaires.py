"""The questionnaire part of the OpenAPI document (issue 12): building, assigning, closing and
results for coordinators; the questionnaires that ask a person and their answers."""

from __future__ import annotations

from typing import Any

from channels.questionnaires.audience import ROLES
from channels.questionnaires.questions import KINDS
from channels.questionnaires.starters import STARTERS
from server.api.openapi.schema import _INT, _STR, _object, _op

_BOOL = {"type": "boolean"}
_NULLABLE_STR = {"type": ["string", "null"]}
_STATE = {"enum": ["draft", "scheduled", "open", "closed"]}
_QUESTIONNAIRE = {"$ref": "#/components/schemas/Questionnaire"}
_QUESTION = {"$ref": "#/components/schemas/Question"}
_ANSWERING = {"$ref": "#/components/schemas/AnsweringQuestionnaire"}
_ID = [("questionnaire_id", "path")]
_QUESTION_ID = [*_ID, ("question_id", "path")]
_COORDINATORS = " (coordinators only)"
_OK = _object(ok=_BOOL)


def _fields(properties: dict[str, Any]) -> dict[str, Any]:
    """An object schema from a dict (a question has a property named 'required', which
    `_object` takes as its list of required properties)."""
    return {"type": "object", "required": [], "properties": properties}


_QUESTION_BODY = _fields(
    {
        "kind": {"enum": list(KINDS)},
        "prompt": _STR,
        "required": _BOOL,
        "options": {
            "type": "array",
            "items": _STR,
            "description": "a choice's options (2 to 20); a scale's words for 1 and 5",
        },
        "position": {"type": "integer", "minimum": 1, "description": "1 is first; left out: last"},
    }
)
_BASICS = {
    "id": _INT,
    "title": _STR,
    "anonymous": _BOOL,
    "state": _STATE,
    "opens_at": _NULLABLE_STR,
    "closes_at": _NULLABLE_STR,
}
_ASSIGNMENT = _object(
    all={"const": True},
    pairs={"type": "array", "items": _INT},
    started_between={
        "type": "array",
        "items": _STR,
        "minItems": 2,
        "maxItems": 2,
        "description": "a cohort: the pairs that started between two dates, both included",
    },
    roles={
        "type": "array",
        "items": {"enum": list(ROLES)},
        "description": "who of the target is asked (default both)",
    },
    opens_at={
        "type": "string",
        "description": "a date or date and time in the programme's time zone; left out: now",
    },
    closes_at={
        "type": "string",
        "description": "a date (the whole day counts) or a date and time",
    },
)

QUESTIONNAIRE_SCHEMAS = {
    "QuestionnaireCard": _object(
        id=_INT, title=_STR, anonymous=_BOOL, closes_at=_NULLABLE_STR, url=_STR
    ),
    "Question": _fields(
        {
            "id": _INT,
            "position": _INT,
            "kind": {"enum": list(KINDS)},
            "prompt": _STR,
            "required": _BOOL,
            "options": {"type": "array", "items": _STR},
        }
    ),
    "Questionnaire": _object(
        **_BASICS,
        intro=_STR,
        intro_html=_STR,
        questions={"type": "array", "items": _QUESTION},
        assignment={
            "oneOf": [
                {"type": "null"},
                _object(
                    roles={"type": "array", "items": {"enum": list(ROLES)}},
                    target={"type": "object"},
                    assigned_at=_STR,
                ),
            ]
        },
        asked=_INT,
        answered=_INT,
        created_at=_STR,
        updated_at=_STR,
    ),
    "MyQuestionnaire": _object(**_BASICS, answered=_BOOL),
    "AnsweringQuestionnaire": _object(
        **_BASICS,
        intro=_STR,
        intro_html=_STR,
        questions={"type": "array", "items": _QUESTION},
        answered=_BOOL,
        answers={
            "type": ["object", "null"],
            "description": "your named answers by question id; never for an anonymous one",
        },
        answered_at=_NULLABLE_STR,
        changed_at=_NULLABLE_STR,
        can_change=_BOOL,
    ),
}

_RESULTS = _object(
    questionnaire=_object(**_BASICS),
    asked=_INT,
    answered=_INT,
    rates={
        "type": "array",
        "items": _object(role={"enum": list(ROLES)}, asked=_INT, answered=_INT),
    },
    withheld={
        **_NULLABLE_STR,
        "description": "why the answers are not shown (anonymous: until it closes, and with "
        "fewer than 3 answers)",
    },
    questions={
        "type": "array",
        "items": _object(
            id=_INT,
            position=_INT,
            kind={"enum": list(KINDS)},
            prompt=_STR,
            answered=_INT,
            counts={"type": "array", "items": _object(label=_STR, count=_INT)},
            mean={"type": ["number", "null"]},
            texts={
                "type": "array",
                "items": _object(text=_STR, author={"type": ["object", "null"]}),
            },
        ),
    },
    waiting={
        "type": "array",
        "items": _object(id=_INT, name=_STR),
        "description": "named questionnaires: the people asked who have not answered",
    },
)


def questionnaire_paths() -> dict[str, Any]:
    one = _object(questionnaire=_QUESTIONNAIRE)
    # /starters and /mine come before /{questionnaire_id}: the first path that matches wins
    return {
        "/api/v1/questionnaires": {
            "get": _op(
                "Every questionnaire with its questions, state and response counts" + _COORDINATORS,
                _object(questionnaires={"type": "array", "items": _QUESTIONNAIRE}),
            ),
            "post": _op(
                "Write a questionnaire (a draft): its fields and questions, or a copy of a "
                "ready one ('starter') or of another questionnaire ('copy_of')" + _COORDINATORS,
                one,
                body=_object(
                    title=_STR,
                    intro=_STR,
                    anonymous=_BOOL,
                    questions={"type": "array", "items": _QUESTION_BODY},
                    starter={"enum": list(STARTERS)},
                    copy_of=_INT,
                ),
                status="201",
            ),
        },
        "/api/v1/questionnaires/starters": {
            "get": _op(
                "The ready questionnaires to start from" + _COORDINATORS,
                _object(
                    starters={
                        "type": "array",
                        "items": _object(
                            key=_STR, title=_STR, intro=_STR, for_whom=_STR, questions=_INT
                        ),
                    }
                ),
            )
        },
        "/api/v1/questionnaires/mine": {
            "get": _op(
                "The questionnaires that ask you and have opened: open ones first, then the "
                "latest closed ones, each with whether you answered",
                _object(
                    questionnaires={
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/MyQuestionnaire"},
                    }
                ),
            )
        },
        "/api/v1/questionnaires/{questionnaire_id}": {
            "get": _op("One questionnaire" + _COORDINATORS, one, params=_ID),
            "patch": _op(
                "Change a draft's title, intro or anonymity; or an assigned one's closing "
                "('closes_at', a date or date and time)" + _COORDINATORS,
                one,
                body=_object(title=_STR, intro=_STR, anonymous=_BOOL, closes_at=_STR),
                params=_ID,
            ),
            "delete": _op(
                "Delete a questionnaire that has not opened" + _COORDINATORS, _OK, params=_ID
            ),
        },
        "/api/v1/questionnaires/{questionnaire_id}/questions": {
            "post": _op(
                "Add a question to a draft" + _COORDINATORS,
                _object(question=_QUESTION),
                body=_QUESTION_BODY,
                params=_ID,
                status="201",
            )
        },
        "/api/v1/questionnaires/{questionnaire_id}/questions/{question_id}": {
            "patch": _op(
                "Change or move a draft's question (fields left out stay)" + _COORDINATORS,
                _object(question=_QUESTION),
                body=_QUESTION_BODY,
                params=_QUESTION_ID,
            ),
            "delete": _op("Remove a draft's question" + _COORDINATORS, _OK, params=_QUESTION_ID),
        },
        "/api/v1/questionnaires/{questionnaire_id}/assignment": {
            "post": _op(
                "Assign a draft: who (one target, and roles) and when; one that opens now has "
                "its cards posted before this answers" + _COORDINATORS,
                one,
                body=_ASSIGNMENT,
                params=_ID,
                status="201",
            ),
            "delete": _op(
                "Take an assigned questionnaire back to a draft, before it opens" + _COORDINATORS,
                one,
                params=_ID,
            ),
        },
        "/api/v1/questionnaires/{questionnaire_id}/close": {
            "post": _op("Close an open questionnaire now" + _COORDINATORS, one, params=_ID)
        },
        "/api/v1/questionnaires/{questionnaire_id}/results": {
            "get": _op(
                "Per question the counts (choices, scales) and the free-text answers; the "
                "response rate per role" + _COORDINATORS,
                _RESULTS,
                params=_ID,
            )
        },
        "/api/v1/questionnaires/{questionnaire_id}/answers": {
            "get": _op(
                "A questionnaire that asks you, with your own named answers",
                _object(questionnaire=_ANSWERING),
                params=_ID,
            ),
            "post": _op(
                "Answer it (201), or change your named answer until it closes (200); an "
                "anonymous answer cannot be changed (409)",
                _object(questionnaire=_ANSWERING),
                body=_object(
                    ["answers"],
                    answers={
                        "type": "object",
                        "description": "question id -> a choice's option number (0 is the "
                        "first), a list of them, a scale's number (1-5), or text",
                    },
                ),
                params=_ID,
                status="201",
                also=[("200", "A named answer changed")],
            ),
        },
    }
