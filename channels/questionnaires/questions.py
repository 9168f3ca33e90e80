"""The kinds of question, what a coordinator may write into one, and checking a person's
answers against them.  Pure functions: no storage, no clock.

An answer, on the wire and as stored, is keyed by the question's id (as text, as JSON keys
are): a single choice is the chosen option's number (0 is the first), a multiple choice a list
of them, a scale a whole number from 1 to 5, a text answer the text.  A question left
unanswered is left out.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from channels.errors import Invalid, TooLarge
from channels.input import check_choice, check_object
from channels.languages import N_
from channels.words import Count, Sentence, Words, joined
from storage.records import Question

KINDS = {
    "single": "One choice",
    "multiple": "Several choices",
    "scale": "A scale from 1 to 5",
    "short_text": "A short answer",
    "long_text": "A longer answer",
}
CHOICES = ("single", "multiple")
TEXTS = ("short_text", "long_text")
SCALE = (1, 2, 3, 4, 5)
MAX_PROMPT = 500
MAX_OPTION = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 20
MAX_SCALE_WORDS = 60
MAX_QUESTIONS = 50
MAX_ANSWER = {"short_text": 300, "long_text": 5000}


@dataclass(frozen=True)
class QuestionFields:
    kind: str
    prompt: str
    options: tuple[str, ...]
    required: bool


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _check_line(value: Any, what: str, limit: int, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise Invalid(N_("%(what)s must be text."), what=Words(what))
    line = _one_line(value)
    if not line and not allow_empty:
        raise Invalid(N_("%(what)s cannot be empty."), what=Words(what))
    if len(line) > limit:
        raise TooLarge(
            N_("%(what)s is too long: at most %(limit)s characters."),
            what=Words(what),
            limit=Count(limit),
        )
    if any(unicodedata.category(ch) == "Cc" for ch in line):
        raise Invalid(N_("%(what)s cannot contain control characters."), what=Words(what))
    return line


def _check_options(kind: str, value: Any) -> tuple[str, ...]:
    if kind in TEXTS:
        if value:
            raise Invalid(N_("A text question has no options."))
        return ()
    if not isinstance(value, list):
        raise Invalid(N_("'options' must be a list of texts."))
    if kind == "scale":
        if value and len(value) != 2:
            raise Invalid(N_("A scale takes two words: what 1 means and what 5 means (or none)."))
        words = [
            _check_line(v, N_("The words of a scale"), MAX_SCALE_WORDS, allow_empty=True)
            for v in value
        ]
        return tuple(words) if any(words) else ()
    options = [_check_line(v, N_("An option"), MAX_OPTION) for v in value]
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise Invalid(
            N_("A choice needs %(min_options)s to %(max_options)s options."),
            min_options=MIN_OPTIONS,
            max_options=MAX_OPTIONS,
        )
    if len({o.casefold() for o in options}) != len(options):
        raise Invalid(N_("Each option can be there only once."))
    return tuple(options)


def check_question(payload: Any, current: Question | None = None) -> QuestionFields:
    """`payload`: {kind, prompt, required?, options?}; with `current`, a change: fields left
    out stay as they are (options too, when the kind keeps them)."""
    payload = check_object(payload)
    kind = check_choice(
        {"kind": payload.get("kind", current.kind if current else None)},
        "kind",
        KINDS,
        what="'kind'",
    )
    prompt = payload.get("prompt", current.prompt if current else None)
    if prompt is None:
        raise Invalid(N_("A question needs its text ('prompt')."))
    prompt = _check_line(prompt, N_("A question's text"), MAX_PROMPT)
    required = payload.get("required", current.required if current else True)
    if not isinstance(required, bool):
        raise Invalid(N_("'required' must be true or false."))
    if "options" in payload:
        options = _check_options(kind, payload["options"] or [])
    elif current is not None and (current.kind == kind or {current.kind, kind} <= set(CHOICES)):
        options = current.options
    elif kind in CHOICES:
        raise Invalid(
            N_("A choice needs %(min_options)s to %(max_options)s options."),
            min_options=MIN_OPTIONS,
            max_options=MAX_OPTIONS,
        )
    else:
        options = ()
    return QuestionFields(kind, prompt, options, required)


# answers


class AnswersRefused(Invalid):
    """Answers that cannot be taken, with what is wrong with each question that needs another
    look ({question id: a sentence}), so a form can say it next to the question."""

    def __init__(self, message: str, problems: dict[int, str]) -> None:
        super().__init__(message)
        self.problems = problems


def _listed(positions: list[int]) -> Words:
    """'1', '1 and 2', '1, 2 and 3'."""
    words = [str(p) for p in positions]
    if len(words) == 1:
        return Words(words[0])
    return Words(N_("%(first)s and %(last)s"), first=", ".join(words[:-1]), last=words[-1])


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_answer(question: Question, value: Any) -> Any:
    """The clean answer, None when it is left empty; raises Invalid with a short reason."""
    if question.kind == "single":
        if value is None:
            return None
        if not _is_whole(value) or not 0 <= value < len(question.options):
            raise Invalid(N_("choose one of its options"))
        return value
    if question.kind == "multiple":
        if value is None:
            return None
        if not isinstance(value, list) or not all(
            _is_whole(v) and 0 <= v < len(question.options) for v in value
        ):
            raise Invalid(N_("choose among its options"))
        if len(set(value)) != len(value):
            raise Invalid(N_("each option can be chosen once"))
        return sorted(value) or None
    if question.kind == "scale":
        if value is None:
            return None
        if not _is_whole(value) or value not in SCALE:
            raise Invalid(N_("choose a number from 1 to 5"))
        return value
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(N_("the answer must be text"))
    text = _one_line(value) if question.kind == "short_text" else value.strip()
    limit = MAX_ANSWER[question.kind]
    if len(text) > limit:
        raise Invalid(
            N_("the answer is too long (at most %(limit)s characters)"), limit=Count(limit)
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise Invalid(N_("the answer cannot contain control characters"))
    return text or None


def check_answers(questions: list[Question], payload: Any) -> dict[str, Any]:
    """`payload`: {answers: {question id: answer}}.  Every answer is checked and every required
    question must be answered; returns the answers given, keyed by question id as text."""
    answers = check_object(payload).get("answers")
    if not isinstance(answers, dict):
        raise Invalid(N_("'answers' must be an object: {question id: answer}."))
    by_id = {str(q.id): q for q in questions}
    unknown = sorted(key for key in answers if key not in by_id)
    if unknown:
        raise Invalid(
            N_("This questionnaire has no question %(question)s."), question=repr(unknown[0])
        )
    clean: dict[str, Any] = {}
    wrong: list[tuple[Question, str]] = []
    missing: list[Question] = []
    for question in questions:
        try:
            value = _check_answer(question, answers.get(str(question.id)))
        except Invalid as reason:
            wrong.append((question, reason.message))
            continue
        if value is None:
            if question.required:
                missing.append(question)
            continue
        clean[str(question.id)] = value
    sentences = [
        Words(N_("Question %(number)s: %(why)s."), number=questions.index(q) + 1, why=why)
        for q, why in wrong
    ]
    if missing:
        positions = [questions.index(q) + 1 for q in missing]
        if len(missing) == 1:
            sentences.append(Words(N_("Question %(number)s needs an answer."), number=positions[0]))
        else:
            sentences.append(
                Words(N_("Questions %(numbers)s need an answer."), numbers=_listed(positions))
            )
    if sentences:
        problems: dict[int, str] = {q.id: Sentence("%(why)s.", why=why) for q, why in wrong}
        problems |= {q.id: Words(N_("This question needs an answer.")) for q in missing}
        raise AnswersRefused(joined(sentences), problems)
    return clean
