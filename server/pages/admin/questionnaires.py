"""Questionnaires in the coordinator area: the list and the ready ones to start from, the
builder of a draft (its details, and each question as a small form: change, move, remove),
assigning it (who and when), moving its closing date or closing it, and the results.

Plain forms with the session's CSRF token, calling the same domain functions as the JSON API
in `server/api/questionnaires.py`.  A form that fails shows the page again with the reason and
changes nothing; one that works redirects with a short notice.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from babel.numbers import format_decimal

from channels.errors import Invalid
from channels.languages import N_
from channels.questionnaires import assigning, building, results
from channels.questionnaires.audience import ROLES, Audience, audience_of
from channels.questionnaires.questions import CHOICES, KINDS, MAX_ANSWER
from channels.questionnaires.starters import STARTERS
from channels.questionnaires.wire import intro_html
from channels.readers import Reader
from channels.tasks.rules import parse_iso
from server import keys
from server.api.params import form_int, form_text, path_id
from server.auth import current_coordinator
from server.pages.admin.programme import page
from server.pages.admin.targets import pair_choices, target_payload
from server.pages.admin.task_schedules import reader_of
from server.pages.rendering import reader_gettext, run_form
from server.realtime.emit import emit_changes
from storage.records import User

routes = web.RouteTableDef()

NOTICES = {
    "created": N_("The questionnaire is written. Add or change its questions, then assign it."),
    "saved": N_("Saved."),
    "question": N_("The question is saved."),
    "removed": N_("The question is removed."),
    "assigned": N_("It is assigned. People see it when it opens, and are told then."),
    "opened": N_("It is open: the people it asks see it now, and have been told."),
    "unassigned": N_("It is a draft again: nobody saw it."),
    "closing": N_("The closing date is changed."),
    "closed": N_("It is closed: it takes no more answers."),
    "deleted": N_("The questionnaire is deleted."),
}
STATE_NAMES = {
    "draft": N_("Draft"),
    "scheduled": N_("Assigned, not open yet"),
    "open": N_("Open"),
    "closed": N_("Closed"),
}


# Who answered, per role (the results page).
ROLE_WORDS = {"mentor": N_("Mentors"), "mentee": N_("Mentees")}


def audience_words(audience: Audience, words: Reader) -> str:
    """'mentees of 3 chosen pairs', as a coordinator would say it, in her language."""
    _ = words.gettext
    if audience.roles == ("mentor",):
        who = _("mentors")
    elif audience.roles == ("mentee",):
        who = _("mentees")
    else:
        who = _("mentors and mentees")
    target = audience.target
    if target.kind == "all":
        return _("all %(who)s") % {"who": who}
    if target.kind == "pairs":
        count = len(target.pair_ids)
        chosen = words.ngettext(
            "%(who)s of %(num)s chosen pair", "%(who)s of %(num)s chosen pairs", count
        )
        return chosen % {"who": who, "num": count}
    return _("%(who)s of the pairs that started in a date range") % {"who": who}


def _settings(request: web.Request):
    return request.app[keys.SCHEDULER].settings


def _notice(request: web.Request, user: User) -> str | None:
    """The notice `?notice=` names, in the coordinator's language."""
    notice = NOTICES.get(request.query.get("notice", ""))
    return reader_gettext(request, user)(notice) if notice else None


def back(questionnaire_id: int, notice: str, anchor: str = "") -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/admin/questionnaires/{questionnaire_id}?notice={notice}{anchor}")


# the list


async def _list_page(request: web.Request, user: User, **context: Any) -> web.Response:
    overviews = await assigning.list_overviews(
        request.app[keys.STORE], user, clock=request.app[keys.CLOCK]
    )
    return page(
        request,
        "questionnaires.html",
        user,
        overviews=overviews,
        starters=[
            starter.translated(reader_gettext(request, user)) for starter in STARTERS.values()
        ],
        states=STATE_NAMES,
        zone=_settings(request).zone,
        **{"notice": _notice(request, user), **context},
    )


@routes.get("/admin/questionnaires")
async def list_page(request: web.Request) -> web.Response:
    return await _list_page(request, await current_coordinator(request))


@routes.post("/admin/questionnaires")
async def create(request: web.Request) -> web.Response:
    """A new draft: `title`, or `starter` (a ready one), or `copy_of` (a questionnaire's id)."""
    user = await current_coordinator(request)
    form = await request.post()

    def payload() -> dict[str, Any]:
        if form_text(form, "starter"):
            return {"starter": form_text(form, "starter")}
        if form_text(form, "copy_of"):
            return {"copy_of": form_int(form, "copy_of", N_("The questionnaire to copy"))}
        return {"title": form_text(form, "title")}

    created = await run_form(
        lambda: building.create_questionnaire(
            request.app[keys.STORE],
            user,
            payload(),
            clock=request.app[keys.CLOCK],
            words=reader_gettext(request, user),  # a ready one, in her language
        ),
        lambda error: _list_page(request, user, error=error.message, form=form),
    )
    raise back(created.id, "created")


# one questionnaire


async def _questionnaire_page(
    request: web.Request, user: User, questionnaire_id: int, **context: Any
) -> web.Response:
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    overview = await assigning.load_overview(store, user, questionnaire_id, clock=clock)
    settings = _settings(request)
    zone = settings.zone
    words = reader_of(user, settings)
    calendar = words.calendar
    questionnaire = overview.questionnaire
    audience = audience_of(questionnaire)
    return page(
        request,
        "questionnaire.html",
        user,
        overview=overview,
        questionnaire=questionnaire,
        intro_html=intro_html(questionnaire),
        state=overview.state,
        states=STATE_NAMES,
        kinds=KINDS,
        choices=CHOICES,
        asked_roles=ROLES,
        limits=MAX_ANSWER,
        pairs=await pair_choices(request, user) if overview.state == "draft" else [],
        audience_words=audience_words(audience, words) if audience else "",
        opens_words=calendar.moment(audience.opens_at) if audience else "",
        closes_words=calendar.moment(audience.closes_at) if audience else "",
        closes_date=audience.closes_at.astimezone(zone).date().isoformat() if audience else "",
        today=clock.now().astimezone(zone).date().isoformat(),
        zone=zone.key,
        **{"notice": _notice(request, user), "failed": None, **context},
    )


@routes.get("/admin/questionnaires/{questionnaire_id}")
async def questionnaire_page(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    return await _questionnaire_page(request, user, path_id(request, "questionnaire_id"))


@routes.post("/admin/questionnaires/{questionnaire_id}")
async def change(request: web.Request) -> web.Response:
    """`action`: `save` (title, intro, anonymous), `delete`, `unassign`, `close`, or `closing`
    (a new `closes_at` date)."""
    user = await current_coordinator(request)
    questionnaire_id = path_id(request, "questionnaire_id")
    form = await request.post()
    store, clock, settings = request.app[keys.STORE], request.app[keys.CLOCK], _settings(request)
    action = form_text(form, "action")

    def again(failed: str):
        return lambda error: _questionnaire_page(
            request, user, questionnaire_id, error=error.message, form=form, failed=failed
        )

    if action == "delete":
        await run_form(
            lambda: building.delete_questionnaire(store, user, questionnaire_id, clock=clock),
            again("delete"),
        )
        raise web.HTTPSeeOther("/admin/questionnaires?notice=deleted")
    if action == "unassign":
        await run_form(
            lambda: assigning.unassign(store, user, questionnaire_id, clock=clock),
            again("unassign"),
        )
        raise back(questionnaire_id, "unassigned")
    if action in ("close", "closing"):
        closing = await run_form(
            lambda: (
                assigning.close_now(store, user, questionnaire_id, settings=settings, clock=clock)
                if action == "close"
                else assigning.change_closing(
                    store,
                    user,
                    questionnaire_id,
                    {"closes_at": form_text(form, "closes_at")},
                    settings=settings,
                    clock=clock,
                )
            ),
            again("closing"),
        )
        await emit_changes(request.app, closing.changes)
        request.app[keys.QUESTIONNAIRES].wake()
        raise back(questionnaire_id, "closed" if action == "close" else "closing")
    await run_form(
        lambda: building.edit_questionnaire(
            store,
            user,
            questionnaire_id,
            {
                "title": form_text(form, "title"),
                "intro": form_text(form, "intro"),
                "anonymous": form.get("anonymous") == "on",
            },
            clock=clock,
        ),
        again("details"),
    )
    raise back(questionnaire_id, "saved")


def question_payload(form: Any) -> dict[str, Any]:
    """A question's form as the domain takes it: a choice's options one per line, a scale's
    two words in their own fields."""
    kind = form_text(form, "kind")
    payload: dict[str, Any] = {
        "kind": kind,
        "prompt": form_text(form, "prompt"),
        "required": form.get("required") == "on",
    }
    if kind in CHOICES:
        payload["options"] = [
            line for line in form_text(form, "options").splitlines() if line.strip()
        ]
    elif kind == "scale":
        payload["options"] = [form_text(form, "scale_low"), form_text(form, "scale_high")]
    else:
        payload["options"] = []
    return payload


@routes.post("/admin/questionnaires/{questionnaire_id}/questions")
async def add_question(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    questionnaire_id = path_id(request, "questionnaire_id")
    form = await request.post()
    question = await run_form(
        lambda: building.add_question(
            request.app[keys.STORE],
            user,
            questionnaire_id,
            question_payload(form),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _questionnaire_page(
            request, user, questionnaire_id, error=error.message, form=form, failed="add"
        ),
    )
    raise back(questionnaire_id, "question", f"#question-{question.id}")


@routes.post("/admin/questionnaires/{questionnaire_id}/questions/{question_id}")
async def change_question(request: web.Request) -> web.Response:
    """`action`: `save` (the question's fields), `up` or `down` (with `position`), `remove`."""
    user = await current_coordinator(request)
    questionnaire_id = path_id(request, "questionnaire_id")
    question_id = path_id(request, "question_id")
    form = await request.post()
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    action = form_text(form, "action")

    def again(error):
        return _questionnaire_page(
            request,
            user,
            questionnaire_id,
            error=error.message,
            form=form,
            failed=f"question-{question_id}",
        )

    if action == "remove":
        await run_form(
            lambda: building.remove_question(
                store, user, questionnaire_id, question_id, clock=clock
            ),
            again,
        )
        raise back(questionnaire_id, "removed", "#questions-title")

    def payload() -> dict[str, Any]:
        if action in ("up", "down"):
            return {"position": form_int(form, "position", N_("The new place"))}
        if action == "save":
            return question_payload(form)
        raise Invalid(N_("Unknown action."))

    await run_form(
        lambda: building.edit_question(
            store, user, questionnaire_id, question_id, payload(), clock=clock
        ),
        again,
    )
    raise back(questionnaire_id, "question", f"#question-{question_id}")


def assignment_payload(form: Any) -> dict[str, Any]:
    """The assignment form as the domain takes it."""
    payload: dict[str, Any] = {
        "roles": [r for r in form.getall("roles", []) if isinstance(r, str)],
        "closes_at": form_text(form, "closes_at").strip(),
    }
    if form_text(form, "opens_at").strip():
        payload["opens_at"] = form_text(form, "opens_at").strip()
    payload |= target_payload(
        form,
        unchosen=N_(
            "Choose who is asked: everyone, chosen pairs, "
            "or the pairs that started between two dates."
        ),
    )
    if not payload["roles"]:
        raise Invalid(N_("Choose who is asked: mentors, mentees or both."))
    return payload


@routes.post("/admin/questionnaires/{questionnaire_id}/assignment")
async def assign(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    questionnaire_id = path_id(request, "questionnaire_id")
    form = await request.post()
    assigned = await run_form(
        lambda: assigning.assign(
            request.app[keys.STORE],
            user,
            questionnaire_id,
            assignment_payload(form),
            settings=_settings(request),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _questionnaire_page(
            request, user, questionnaire_id, error=error.message, form=form, failed="assign"
        ),
    )
    runner = request.app[keys.QUESTIONNAIRES]
    await runner.deliver_if_open(assigned)
    opened = parse_iso(assigned.opens_at or "") <= request.app[keys.CLOCK].now()
    raise back(questionnaire_id, "opened" if opened else "assigned")


@routes.get("/admin/questionnaires/{questionnaire_id}/results")
async def results_page(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    calendar = reader_of(user, _settings(request)).calendar
    found = await results.load_results(
        request.app[keys.STORE],
        user,
        path_id(request, "questionnaire_id"),
        seal=request.app[keys.SEAL],
        clock=request.app[keys.CLOCK],
    )
    return page(
        request,
        "questionnaire_results.html",
        user,
        results=found,
        questionnaire=found.overview.questionnaire,
        states=STATE_NAMES,
        role_names=ROLE_WORDS,
        percent=results.percent,
        one_decimal=lambda number: format_decimal(number, "0.0", locale=calendar.locale),
    )
