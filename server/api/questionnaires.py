"""The JSON API of questionnaires: building, assigning, closing and results for coordinators;
the questionnaires that ask a person, and their answers, for mentors and mentees."""

from __future__ import annotations

from aiohttp import web

from channels.notify import inbox
from channels.policy import check_coordinator
from channels.questionnaires import answering, assigning, building, results
from channels.questionnaires.starters import STARTERS
from channels.questionnaires.wire import (
    answering_json,
    mine_json,
    overview_json,
    question_json,
    results_json,
)
from server import keys
from server.api.params import path_id, read_json
from server.auth import current_user
from server.realtime.emit import emit_changes, emit_notifications_read

routes = web.RouteTableDef()


def _settings(request: web.Request):
    return request.app[keys.SCHEDULER].settings


async def _overview(request: web.Request, user, questionnaire_id: int) -> web.Response:
    overview = await assigning.load_overview(
        request.app[keys.STORE], user, questionnaire_id, clock=request.app[keys.CLOCK]
    )
    return web.json_response({"questionnaire": overview_json(overview, _settings(request).zone)})


def _id(request: web.Request) -> int:
    return path_id(request, "questionnaire_id")


@routes.get("/api/v1/questionnaires")
async def list_questionnaires(request: web.Request) -> web.Response:
    user = await current_user(request)
    overviews = await assigning.list_overviews(
        request.app[keys.STORE], user, clock=request.app[keys.CLOCK]
    )
    zone = _settings(request).zone
    return web.json_response({"questionnaires": [overview_json(o, zone) for o in overviews]})


@routes.post("/api/v1/questionnaires")
async def create_questionnaire(request: web.Request) -> web.Response:
    user = await current_user(request)
    questionnaire = await building.create_questionnaire(
        request.app[keys.STORE], user, await read_json(request), clock=request.app[keys.CLOCK]
    )
    response = await _overview(request, user, questionnaire.id)
    response.set_status(201)
    return response


# before /{questionnaire_id}: the router tries routes in the order they were added


@routes.get("/api/v1/questionnaires/starters")
async def starters(request: web.Request) -> web.Response:
    check_coordinator(await current_user(request))
    return web.json_response(
        {
            "starters": [
                {
                    "key": s.key,
                    "title": s.title,
                    "intro": s.intro,
                    "for_whom": s.for_whom,
                    "questions": len(s.questions),
                }
                for s in STARTERS.values()
            ]
        }
    )


@routes.get("/api/v1/questionnaires/mine")
async def mine(request: web.Request) -> web.Response:
    user = await current_user(request)
    found = await answering.list_mine(request.app[keys.STORE], user, clock=request.app[keys.CLOCK])
    return web.json_response({"questionnaires": [mine_json(m) for m in found]})


@routes.get("/api/v1/questionnaires/{questionnaire_id}")
async def load_questionnaire(request: web.Request) -> web.Response:
    user = await current_user(request)
    return await _overview(request, user, _id(request))


@routes.patch("/api/v1/questionnaires/{questionnaire_id}")
async def edit_questionnaire(request: web.Request) -> web.Response:
    """A draft's title, intro, anonymous; or an assigned one's `closes_at`."""
    user = await current_user(request)
    payload = await read_json(request)
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    if "closes_at" in payload:
        closing = await assigning.change_closing(
            store, user, _id(request), payload, settings=_settings(request), clock=clock
        )
        await emit_changes(request.app, closing.changes)
        request.app[keys.QUESTIONNAIRES].wake()
    else:
        await building.edit_questionnaire(store, user, _id(request), payload, clock=clock)
    return await _overview(request, user, _id(request))


@routes.delete("/api/v1/questionnaires/{questionnaire_id}")
async def delete_questionnaire(request: web.Request) -> web.Response:
    user = await current_user(request)
    await building.delete_questionnaire(
        request.app[keys.STORE], user, _id(request), clock=request.app[keys.CLOCK]
    )
    return web.json_response({"ok": True})


@routes.post("/api/v1/questionnaires/{questionnaire_id}/questions")
async def add_question(request: web.Request) -> web.Response:
    user = await current_user(request)
    question = await building.add_question(
        request.app[keys.STORE],
        user,
        _id(request),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    return web.json_response({"question": question_json(question)}, status=201)


@routes.patch("/api/v1/questionnaires/{questionnaire_id}/questions/{question_id}")
async def edit_question(request: web.Request) -> web.Response:
    user = await current_user(request)
    question = await building.edit_question(
        request.app[keys.STORE],
        user,
        _id(request),
        path_id(request, "question_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    return web.json_response({"question": question_json(question)})


@routes.delete("/api/v1/questionnaires/{questionnaire_id}/questions/{question_id}")
async def remove_question(request: web.Request) -> web.Response:
    user = await current_user(request)
    await building.remove_question(
        request.app[keys.STORE],
        user,
        _id(request),
        path_id(request, "question_id"),
        clock=request.app[keys.CLOCK],
    )
    return web.json_response({"ok": True})


@routes.post("/api/v1/questionnaires/{questionnaire_id}/assignment")
async def assign(request: web.Request) -> web.Response:
    """Assign it; when it opens now, its cards and notifications are out before the answer."""
    user = await current_user(request)
    payload = await read_json(request)
    clock = request.app[keys.CLOCK]
    assigned = await assigning.assign(
        request.app[keys.STORE],
        user,
        _id(request),
        payload,
        settings=_settings(request),
        clock=clock,
    )
    await request.app[keys.QUESTIONNAIRES].deliver_if_open(assigned)
    response = await _overview(request, user, assigned.id)
    response.set_status(201)
    return response


@routes.delete("/api/v1/questionnaires/{questionnaire_id}/assignment")
async def unassign(request: web.Request) -> web.Response:
    user = await current_user(request)
    await assigning.unassign(
        request.app[keys.STORE], user, _id(request), clock=request.app[keys.CLOCK]
    )
    return await _overview(request, user, _id(request))


@routes.post("/api/v1/questionnaires/{questionnaire_id}/close")
async def close(request: web.Request) -> web.Response:
    user = await current_user(request)
    closing = await assigning.close_now(
        request.app[keys.STORE],
        user,
        _id(request),
        settings=_settings(request),
        clock=request.app[keys.CLOCK],
    )
    await emit_changes(request.app, closing.changes)
    return await _overview(request, user, closing.questionnaire.id)


@routes.get("/api/v1/questionnaires/{questionnaire_id}/results")
async def load_results(request: web.Request) -> web.Response:
    user = await current_user(request)
    found = await results.load_results(
        request.app[keys.STORE],
        user,
        _id(request),
        seal=request.app[keys.SEAL],
        clock=request.app[keys.CLOCK],
    )
    return web.json_response(results_json(found))


@routes.get("/api/v1/questionnaires/{questionnaire_id}/answers")
async def my_answers(request: web.Request) -> web.Response:
    user = await current_user(request)
    found = await answering.load_answering(
        request.app[keys.STORE], user, _id(request), clock=request.app[keys.CLOCK]
    )
    return web.json_response({"questionnaire": answering_json(found)})


@routes.post("/api/v1/questionnaires/{questionnaire_id}/answers")
async def answer(request: web.Request) -> web.Response:
    """Answer (201), or change a named answer (200)."""
    user = await current_user(request)
    store = request.app[keys.STORE]
    answered = await answering.submit_answers(
        store,
        user,
        _id(request),
        await read_json(request),
        seal=request.app[keys.SEAL],
        clock=request.app[keys.CLOCK],
    )
    await emit_notifications_read(request.app, user.id, await inbox.count_unread(store, user))
    return web.json_response(
        {"questionnaire": answering_json(answered.answering)},
        status=201 if answered.first else 200,
    )
