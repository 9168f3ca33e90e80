"""The JSON API of scheduled tasks: templates, schedules, post now and progress for
coordinators; marking a task done for the two people of a pair."""

from __future__ import annotations

from aiohttp import web

from channels.chat.wire import message_json
from channels.tasks import planning as tasks
from channels.tasks import posting as task_posting
from channels.tasks.wire import (
    overview_json,
    pair_progress_json,
    progress_json,
    schedule_json,
    template_json,
)
from server import keys
from server.api.params import path_id, read_json
from server.auth import current_user
from server.realtime.emit import change_message, emit_changes

routes = web.RouteTableDef()


def _zone(request: web.Request):
    return request.app[keys.SCHEDULER].settings.zone


@routes.get("/api/v1/tasks")
async def list_tasks(request: web.Request) -> web.Response:
    user = await current_user(request)
    overviews = await tasks.list_tasks(request.app[keys.STORE], user, clock=request.app[keys.CLOCK])
    return web.json_response({"tasks": [overview_json(o, _zone(request)) for o in overviews]})


@routes.post("/api/v1/tasks")
async def create_task(request: web.Request) -> web.Response:
    user = await current_user(request)
    template = await tasks.create_template(
        request.app[keys.STORE], user, await read_json(request), clock=request.app[keys.CLOCK]
    )
    return web.json_response({"task": template_json(template)}, status=201)


@routes.get("/api/v1/tasks/{task_id}")
async def load_task(request: web.Request) -> web.Response:
    user = await current_user(request)
    overview = await tasks.load_task(
        request.app[keys.STORE], user, path_id(request, "task_id"), clock=request.app[keys.CLOCK]
    )
    return web.json_response({"task": overview_json(overview, _zone(request))})


@routes.patch("/api/v1/tasks/{task_id}")
async def edit_task(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    template = await tasks.edit_template(
        request.app[keys.STORE],
        user,
        path_id(request, "task_id"),
        payload,
        clock=request.app[keys.CLOCK],
    )
    return web.json_response({"task": template_json(template)})


@routes.delete("/api/v1/tasks/{task_id}")
async def delete_task(request: web.Request) -> web.Response:
    user = await current_user(request)
    await tasks.delete_template(
        request.app[keys.STORE], user, path_id(request, "task_id"), clock=request.app[keys.CLOCK]
    )
    return web.json_response({"ok": True})


@routes.post("/api/v1/tasks/{task_id}/schedules")
async def create_schedule(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    scheduler = request.app[keys.SCHEDULER]
    schedule = await tasks.create_schedule(
        request.app[keys.STORE],
        user,
        path_id(request, "task_id"),
        payload,
        settings=scheduler.settings,
        clock=request.app[keys.CLOCK],
    )
    scheduler.wake()
    return web.json_response({"schedule": schedule_json(schedule, _zone(request))}, status=201)


@routes.patch("/api/v1/schedules/{schedule_id}")
async def edit_schedule(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    scheduler = request.app[keys.SCHEDULER]
    schedule = await tasks.edit_schedule(
        request.app[keys.STORE],
        user,
        path_id(request, "schedule_id"),
        payload,
        settings=scheduler.settings,
        clock=request.app[keys.CLOCK],
    )
    scheduler.wake()
    return web.json_response({"schedule": schedule_json(schedule, _zone(request))})


@routes.delete("/api/v1/schedules/{schedule_id}")
async def cancel_schedule(request: web.Request) -> web.Response:
    user = await current_user(request)
    schedule = await tasks.cancel_schedule(
        request.app[keys.STORE],
        user,
        path_id(request, "schedule_id"),
        clock=request.app[keys.CLOCK],
    )
    return web.json_response({"schedule": schedule_json(schedule, _zone(request))})


@routes.post("/api/v1/tasks/{task_id}/post-now")
async def post_now(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    posted = await tasks.post_now(
        request.app[keys.STORE],
        user,
        path_id(request, "task_id"),
        payload,
        settings=request.app[keys.SCHEDULER].settings,
        clock=request.app[keys.CLOCK],
    )
    await emit_changes(request.app, posted.changes)
    return web.json_response(
        {"schedule": schedule_json(posted.schedule, _zone(request)), "posted": len(posted.changes)},
        status=201,
    )


@routes.get("/api/v1/tasks/{task_id}/progress")
async def progress(request: web.Request) -> web.Response:
    user = await current_user(request)
    found = await tasks.load_progress(
        request.app[keys.STORE], user, path_id(request, "task_id"), clock=request.app[keys.CLOCK]
    )
    return web.json_response(progress_json(found))


@routes.get("/api/v1/pairs/{pair_id}/tasks")
async def pair_tasks(request: web.Request) -> web.Response:
    user = await current_user(request)
    found, now = await tasks.load_pair_tasks(
        request.app[keys.STORE], user, path_id(request, "pair_id"), clock=request.app[keys.CLOCK]
    )
    return web.json_response(pair_progress_json(found, now))


@routes.post("/api/v1/messages/{message_id}/complete")
async def complete(request: web.Request) -> web.Response:
    payload = {**await read_json(request), "message_id": path_id(request, "message_id")}
    result = await change_message(
        request.app, task_posting.complete_task, await current_user(request), payload
    )
    return web.json_response({"message": message_json(result.message)})
