"""Questionnaires in the browser, for the people they ask: the list of those open for you (and
the ones that closed), and one questionnaire as a plain form that works without JavaScript and
on a small phone.  Coordinators are sent to the coordinator area's page of the same one.

A form that fails shows the questionnaire again with what was typed, the reason, and the
questions that need another look marked; nothing is kept.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.errors import MentorspaceError
from channels.languages import N_
from channels.notify import inbox
from channels.questionnaires import answering
from channels.questionnaires.questions import CHOICES, MAX_ANSWER, SCALE
from channels.questionnaires.wire import intro_html
from server import keys
from server.api.params import form_text, path_id
from server.auth import current_user
from server.pages.rendering import load_menu, render, run_form
from server.realtime.emit import emit_notifications_read
from storage.records import Question, User

routes = web.RouteTableDef()

NOTICES = {
    "answered": N_("Thank you: your answers are sent."),
    "changed": N_("Your changes are saved."),
}


@routes.get("/questionnaires")
async def list_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    if user.role == "coordinator":
        raise web.HTTPFound("/admin/questionnaires")
    found = await answering.list_mine(request.app[keys.STORE], user, clock=request.app[keys.CLOCK])
    return render(
        request,
        "questionnaires.html",
        user=user,
        menu=await load_menu(request, user),
        here="/questionnaires",
        open_ones=[m for m in found if m.state == "open"],
        closed_ones=[m for m in found if m.state == "closed"],
    )


async def _answering_page(
    request: web.Request,
    user: User,
    questionnaire_id: int,
    *,
    typed: dict[str, Any] | None = None,
    error: MentorspaceError | None = None,
) -> web.Response:
    found = await answering.load_answering(
        request.app[keys.STORE], user, questionnaire_id, clock=request.app[keys.CLOCK]
    )
    values = typed if typed is not None else (found.mine.answers if found.mine else {})
    return render(
        request,
        "questionnaire.html",
        user=user,
        menu=await load_menu(request, user),
        here="/questionnaires",
        answering=found,
        intro_html=intro_html(found.questionnaire),
        values=values,
        error=error.message if error else None,
        problems=getattr(error, "problems", {}),
        notice=NOTICES.get(request.query.get("notice", "")),
        scale=SCALE,
        limits=MAX_ANSWER,
    )


@routes.get("/questionnaires/{questionnaire_id}")
async def answering_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    questionnaire_id = path_id(request, "questionnaire_id")
    if user.role == "coordinator":
        raise web.HTTPFound(f"/admin/questionnaires/{questionnaire_id}")
    return await _answering_page(request, user, questionnaire_id)


def _number(text: str) -> Any:
    """A number a radio button or checkbox sent; anything else as it came (the check refuses
    it with a sentence)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else text


def answers_from_form(questions: list[Question], form: Any) -> dict[str, Any]:
    """The form's fields `q<id>` as the domain takes answers: option numbers, a scale's number,
    or text; a field left empty is left out."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = f"q{question.id}"
        if question.kind == "multiple":
            chosen = [v for v in form.getall(name, []) if isinstance(v, str)]
            if chosen:
                answers[str(question.id)] = [_number(v) for v in chosen]
            continue
        value = form_text(form, name)
        if not value.strip():
            continue
        answers[str(question.id)] = (
            _number(value) if question.kind in (*CHOICES, "scale") else value
        )
    return answers


@routes.post("/questionnaires/{questionnaire_id}")
async def answer(request: web.Request) -> web.Response:
    user = await current_user(request)
    questionnaire_id = path_id(request, "questionnaire_id")
    form = await request.post()
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    typed: dict[str, Any] = {}

    async def send() -> answering.Answered:
        found = await answering.load_answering(store, user, questionnaire_id, clock=clock)
        typed.update(answers_from_form(found.questions, form))
        return await answering.submit_answers(
            store,
            user,
            questionnaire_id,
            {"answers": typed},
            seal=request.app[keys.SEAL],
            clock=clock,
        )

    answered = await run_form(
        send,
        lambda error: _answering_page(request, user, questionnaire_id, typed=typed, error=error),
    )
    await emit_notifications_read(request.app, user.id, await inbox.count_unread(store, user))
    notice = "answered" if answered.first else "changed"
    raise web.HTTPSeeOther(f"/questionnaires/{questionnaire_id}?notice={notice}")
