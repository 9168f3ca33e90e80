"""What coordinators do with a questionnaire while it is a draft: write it (or start from a
ready one), change its title, intro and whether it is anonymous, add, change, move and remove
its questions, and delete it.  Once assigned its questions stay as they are, so every answer
is to the same questions; taking it back to a draft before it opens makes it editable again.

Coordinators only.  Every call checks all of its input before it writes, and records what it
changed in the audit log in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Invalid, NotFound
from channels.input import check_bool, check_changes, check_object, check_place, check_text
from channels.languages import N_
from channels.policy import Actor, check_coordinator
from channels.programme.audit import record_action
from channels.questionnaires.audience import state_of
from channels.questionnaires.questions import MAX_QUESTIONS, QuestionFields, check_question
from channels.questionnaires.starters import STARTERS
from channels.words import Count, Words
from storage import Store, Tx
from storage.records import Question, Questionnaire, User

MAX_TITLE = 200
MAX_INTRO = 5000
NO_QUESTIONNAIRE = N_("That questionnaire does not exist.")
NO_QUESTION = N_("That question is not in this questionnaire.")


async def load_existing(store: Store, questionnaire_id: int) -> Questionnaire:
    questionnaire = await store.load_questionnaire(questionnaire_id)
    if questionnaire is None:
        raise NotFound(NO_QUESTIONNAIRE)
    return questionnaire


async def record(
    tx: Tx, actor: Actor, action: str, questionnaire: Questionnaire, summary: Words, now: str
) -> None:
    """The audit entry of a change to a questionnaire: titles and counts, never an answer."""
    await record_action(
        tx,
        actor,
        f"questionnaire.{action}",
        target_type="questionnaire",
        target_id=questionnaire.id,
        summary=summary,
        now=now,
    )


def _check_details(payload: dict[str, Any], current: Questionnaire | None) -> dict[str, Any]:
    title = payload.get("title", current.title if current else None)
    title = check_text(
        {"title": title}, "title", max_length=MAX_TITLE, what=N_("A questionnaire's title")
    )
    intro = payload.get("intro", current.intro if current else "")
    intro = check_text(
        {"intro": intro}, "intro", max_length=MAX_INTRO, allow_empty=True, what=N_("The intro")
    )
    anonymous = check_bool(payload, "anonymous", default=current.anonymous if current else False)
    return {"title": " ".join(title.split()), "intro": intro.strip(), "anonymous": anonymous}


_KEEPS_QUESTIONS = {
    "open": N_(
        "It is open: its questions stay as they are, so every answer is to the same questions."
        " Make a copy instead."
    ),
    "closed": N_(
        "It is closed: its questions stay as they are, so every answer is to the same"
        " questions. Make a copy instead."
    ),
}
_KEEPS_ANSWERS = {
    "open": N_("It is open, and its answers are kept: it cannot be deleted."),
    "closed": N_("It is closed, and its answers are kept: it cannot be deleted."),
}


def _check_draft(questionnaire: Questionnaire, now: Any) -> None:
    state = state_of(questionnaire, now)
    if state == "scheduled":
        raise Conflict(
            N_("It is assigned already: take it back to a draft to change it (it has not opened).")
        )
    if state != "draft":
        raise Conflict(_KEEPS_QUESTIONS[state])


CHANGED_MEANWHILE = N_(
    "It was assigned or opened meanwhile: reload the page to see it as it is now."
)


async def check_still_draft(tx: Tx, questionnaire_id: int) -> None:
    """Inside a write: it is still a draft (nobody assigned it since it was checked), and
    stays one until the commit."""
    await tx.lock_questionnaire(questionnaire_id)
    current = await tx.load_questionnaire(questionnaire_id)
    if current is None or current.assigned_at is not None:
        raise Conflict(CHANGED_MEANWHILE)


async def check_never_opened(tx: Tx, questionnaire_id: int) -> None:
    """Inside a write: no card of it was posted (it did not open since it was checked), nor
    will be until the commit."""
    await tx.lock_questionnaire(questionnaire_id)
    if await tx.list_questionnaire_cards(questionnaire_id):
        raise Conflict(CHANGED_MEANWHILE)


async def create_questionnaire(
    store: Store,
    user: User,
    payload: Any,
    *,
    clock: Clock = SYSTEM_CLOCK,
    words: Callable[[str], str] | None = None,
) -> Questionnaire:
    """`payload`: {title, intro?, anonymous?, questions?: [question, ...]}, or {starter} (one
    of the ready questionnaires, copied as a draft: in the language `words` translates into,
    if given), or {copy_of} (a questionnaire's id)."""
    actor = check_coordinator(user)
    payload = check_object(payload)
    if "starter" in payload or "copy_of" in payload:
        source = check_changes(payload, ["starter", "copy_of"])
        if len(source) != 1:
            raise Invalid(N_("Give either 'starter' or 'copy_of'."))
        details, questions = await _source(store, source, words)
    else:
        unknown = sorted(set(payload) - {"title", "intro", "anonymous", "questions"})
        if unknown:
            raise Invalid(N_("Unknown field: %(unknown)s."), unknown=", ".join(unknown))
        details = _check_details(payload, None)
        raw = payload.get("questions", [])
        if not isinstance(raw, list):
            raise Invalid(N_("'questions' must be a list of questions."))
        if len(raw) > MAX_QUESTIONS:
            raise Invalid(
                N_("A questionnaire can have at most %(max_questions)s questions."),
                max_questions=MAX_QUESTIONS,
            )
        questions = [check_question(q) for q in raw]

    async def insert(tx: Tx) -> Questionnaire:
        now = iso(clock.now())
        questionnaire = await tx.insert_questionnaire(**details, created_by=user.id, now=now)
        for position, fields in enumerate(questions, start=1):
            await _insert_question(tx, questionnaire.id, fields, position)
        summary = Words(
            N_("Wrote the questionnaire %(title)s (%(count)s questions)."),
            title=questionnaire.title,
            count=Count(len(questions)),
        )
        await record(tx, actor, "created", questionnaire, summary, now)
        return questionnaire

    return await store.write(insert)


async def _source(
    store: Store, source: dict[str, Any], words: Callable[[str], str] | None
) -> tuple[dict[str, Any], list[QuestionFields]]:
    if "starter" in source:
        starter = STARTERS.get(source["starter"]) if isinstance(source["starter"], str) else None
        if starter is None:
            raise Invalid(
                N_("'starter' must be one of %(starters)s."), starters=", ".join(STARTERS)
            )
        if words is not None:
            starter = starter.translated(words)
        details = {"title": starter.title, "intro": starter.intro, "anonymous": False}
        return details, [check_question(q) for q in starter.questions]
    copy_of = source["copy_of"]
    if isinstance(copy_of, bool) or not isinstance(copy_of, int) or not 0 < copy_of < 2**53:
        raise Invalid(N_("'copy_of' must be a questionnaire's id."))
    original = await load_existing(store, copy_of)
    copied = N_("Copy of %(title)s")  # in the language of `words`, if given
    details = {
        "title": ((words or str)(copied) % {"title": original.title})[:MAX_TITLE],
        "intro": original.intro,
        "anonymous": original.anonymous,
    }
    questions = await store.list_questions(original.id)
    return details, [QuestionFields(q.kind, q.prompt, q.options, q.required) for q in questions]


async def _insert_question(
    tx: Tx, questionnaire_id: int, fields: QuestionFields, position: int
) -> Question:
    return await tx.insert_question(
        questionnaire_id,
        kind=fields.kind,
        prompt=fields.prompt,
        options=list(fields.options),
        required=fields.required,
        position=position,
    )


async def edit_questionnaire(
    store: Store, user: User, questionnaire_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Questionnaire:
    """A draft's `title`, `intro`, `anonymous` (fields left out stay)."""
    actor = check_coordinator(user)
    changes = check_changes(payload, ["title", "intro", "anonymous"])
    questionnaire = await load_existing(store, questionnaire_id)
    details = _check_details(changes, questionnaire)
    _check_draft(questionnaire, clock.now())

    async def update(tx: Tx) -> Questionnaire:
        now = iso(clock.now())
        await check_still_draft(tx, questionnaire.id)
        updated = await tx.update_questionnaire(questionnaire.id, **details, now=now)
        await record(
            tx,
            actor,
            "edited",
            updated,
            Words(N_("Edited the questionnaire %(title)s."), title=updated.title),
            now,
        )
        return updated

    return await store.write(update)


async def delete_questionnaire(
    store: Store, user: User, questionnaire_id: int, *, clock: Clock = SYSTEM_CLOCK
) -> None:
    """A draft, or one assigned that has not opened yet.  One that has opened keeps its answers:
    close it instead."""
    actor = check_coordinator(user)
    questionnaire = await load_existing(store, questionnaire_id)
    state = state_of(questionnaire, clock.now())
    if state in ("open", "closed"):
        raise Conflict(_KEEPS_ANSWERS[state])

    async def delete(tx: Tx) -> None:
        now = iso(clock.now())
        await check_never_opened(tx, questionnaire.id)
        await tx.delete_questionnaire(questionnaire.id)
        summary = Words(N_("Deleted the questionnaire %(title)s."), title=questionnaire.title)
        await record(tx, actor, "deleted", questionnaire, summary, now)

    await store.write(delete)


# questions


async def _draft_and_questions(
    store: Store, questionnaire_id: int, clock: Clock
) -> tuple[Questionnaire, list[Question]]:
    questionnaire = await load_existing(store, questionnaire_id)
    _check_draft(questionnaire, clock.now())
    return questionnaire, await store.list_questions(questionnaire.id)


def _find(questions: list[Question], question_id: int) -> Question:
    for question in questions:
        if question.id == question_id:
            return question
    raise NotFound(NO_QUESTION)


async def add_question(
    store: Store, user: User, questionnaire_id: int, payload: Any, *, clock: Clock = SYSTEM_CLOCK
) -> Question:
    """`payload`: {kind, prompt, required?, options?, position?} (last when no position)."""
    actor = check_coordinator(user)
    payload = check_changes(payload, ["kind", "prompt", "required", "options", "position"])
    fields = check_question({k: v for k, v in payload.items() if k != "position"})
    questionnaire, _ = await _draft_and_questions(store, questionnaire_id, clock)

    async def insert(tx: Tx) -> Question:
        now = iso(clock.now())
        await check_still_draft(tx, questionnaire.id)
        # Counted under the questionnaire's lock: two added at once take turns.
        questions = await tx.list_questions(questionnaire.id)
        if len(questions) >= MAX_QUESTIONS:
            raise Invalid(
                N_("A questionnaire can have at most %(max_questions)s questions."),
                max_questions=MAX_QUESTIONS,
            )
        order = check_place(payload, 0, [q.id for q in questions])
        question = await _insert_question(tx, questionnaire.id, fields, len(order))
        await tx.reorder_questions([question.id if i == 0 else i for i in order])
        summary = Words(
            N_("Added a question to the questionnaire %(title)s."), title=questionnaire.title
        )
        await record(tx, actor, "question_added", questionnaire, summary, now)
        return question

    question = await store.write(insert)
    return _find(await store.list_questions(questionnaire.id), question.id)


async def edit_question(
    store: Store,
    user: User,
    questionnaire_id: int,
    question_id: int,
    payload: Any,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> Question:
    """Any of {kind, prompt, required, options, position} (fields left out stay)."""
    actor = check_coordinator(user)
    payload = check_changes(payload, ["kind", "prompt", "required", "options", "position"])
    questionnaire, _ = await _draft_and_questions(store, questionnaire_id, clock)
    changes = {k: v for k, v in payload.items() if k != "position"}

    async def update(tx: Tx) -> None:
        now = iso(clock.now())
        await check_still_draft(tx, questionnaire.id)
        # The questions as they are under the questionnaire's lock: fields left out stay as
        # another's change left them, and the order has every question.
        questions = await tx.list_questions(questionnaire.id)
        question = _find(questions, question_id)
        fields = check_question(changes, question) if changes else None
        order = check_place(payload, question.id, [q.id for q in questions])
        if fields is not None:
            await tx.update_question(
                question.id,
                kind=fields.kind,
                prompt=fields.prompt,
                options=list(fields.options),
                required=fields.required,
            )
        await tx.reorder_questions(order)
        summary = Words(
            N_("Changed a question of the questionnaire %(title)s."), title=questionnaire.title
        )
        await record(tx, actor, "question_changed", questionnaire, summary, now)

    await store.write(update)
    return _find(await store.list_questions(questionnaire.id), question_id)


async def remove_question(
    store: Store,
    user: User,
    questionnaire_id: int,
    question_id: int,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> None:
    actor = check_coordinator(user)
    questionnaire, questions = await _draft_and_questions(store, questionnaire_id, clock)
    _find(questions, question_id)

    async def delete(tx: Tx) -> None:
        now = iso(clock.now())
        await check_still_draft(tx, questionnaire.id)
        questions = await tx.list_questions(questionnaire.id)  # with any added meanwhile
        question = _find(questions, question_id)
        await tx.delete_question(question.id)
        await tx.reorder_questions([q.id for q in questions if q.id != question.id])
        summary = Words(
            N_("Removed a question from the questionnaire %(title)s."), title=questionnaire.title
        )
        await record(tx, actor, "question_removed", questionnaire, summary, now)

    await store.write(delete)
