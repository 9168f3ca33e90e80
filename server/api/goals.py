"""Goals and satisfaction over the JSON API under /api/v1.  A pair's goals are for the two
people of the pair (anyone else: `not_found`, as for a goal that never existed); the counts
of goals and the satisfaction answers are for coordinators; each person answers their own
satisfaction form."""

from __future__ import annotations

from aiohttp import web

from channels.chat.wire import message_json
from channels.goals import goals, satisfaction
from channels.goals.goals import GoalChange
from channels.goals.wire import (
    distribution_json,
    goal_counts_json,
    goal_json,
    my_satisfaction_json,
    pair_goals_json,
    satisfaction_json,
)
from channels.notify import inbox
from server import keys
from server.api.params import path_id, read_json
from server.auth import current_coordinator, current_user
from server.realtime.emit import emit_changes, emit_notifications_read, emit_satisfaction_asked

routes = web.RouteTableDef()


async def _answer(request: web.Request, change: GoalChange, status: int = 200) -> web.Response:
    """Tell the pair channel's room about the card after the commit; answer with the goal."""
    await emit_changes(request.app, change.changes)
    if change.goal is None:
        return web.json_response({"removed": True}, status=status)
    return web.json_response({"goal": goal_json(change.goal)}, status=status)


# the pair's goals


@routes.get("/api/v1/channels/{channel_id}/goals")
async def list_goals(request: web.Request) -> web.Response:
    user = await current_user(request)
    found = await goals.list_goals(request.app[keys.STORE], user, path_id(request, "channel_id"))
    return web.json_response(pair_goals_json(found))


@routes.post("/api/v1/channels/{channel_id}/goals")
async def add_goal(request: web.Request) -> web.Response:
    user = await current_user(request)
    change = await goals.add_goal(
        request.app[keys.STORE],
        user,
        path_id(request, "channel_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    await emit_changes(request.app, change.changes)
    assert change.goal is not None
    card = await request.app[keys.STORE].load_message(change.goal.message_id)
    return web.json_response(
        {"goal": goal_json(change.goal), "message": message_json(card)},
        status=201 if change.created else 200,
    )


@routes.get("/api/v1/goals/{goal_id}")
async def get_goal(request: web.Request) -> web.Response:
    user = await current_user(request)
    goal = await goals.load_goal(request.app[keys.STORE], user, path_id(request, "goal_id"))
    return web.json_response({"goal": goal_json(goal)})


@routes.patch("/api/v1/goals/{goal_id}")
async def change_goal(request: web.Request) -> web.Response:
    user = await current_user(request)
    change = await goals.change_goal(
        request.app[keys.STORE],
        user,
        path_id(request, "goal_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    return await _answer(request, change)


@routes.delete("/api/v1/goals/{goal_id}")
async def remove_goal(request: web.Request) -> web.Response:
    user = await current_user(request)
    change = await goals.remove_goal(
        request.app[keys.STORE], user, path_id(request, "goal_id"), clock=request.app[keys.CLOCK]
    )
    return await _answer(request, change)


@routes.post("/api/v1/goals/{goal_id}/milestones")
async def add_milestone(request: web.Request) -> web.Response:
    user = await current_user(request)
    change = await goals.add_milestone(
        request.app[keys.STORE],
        user,
        path_id(request, "goal_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    return await _answer(request, change, status=201)


@routes.patch("/api/v1/milestones/{milestone_id}")
async def change_milestone(request: web.Request) -> web.Response:
    user = await current_user(request)
    change = await goals.change_milestone(
        request.app[keys.STORE],
        user,
        path_id(request, "milestone_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    return await _answer(request, change)


@routes.delete("/api/v1/milestones/{milestone_id}")
async def remove_milestone(request: web.Request) -> web.Response:
    user = await current_user(request)
    change = await goals.remove_milestone(
        request.app[keys.STORE],
        user,
        path_id(request, "milestone_id"),
        clock=request.app[keys.CLOCK],
    )
    return await _answer(request, change)


# satisfaction: the person asked


@routes.get("/api/v1/me/satisfaction")
async def my_requests(request: web.Request) -> web.Response:
    user = await current_user(request)
    clock = request.app[keys.CLOCK]
    found = await satisfaction.list_mine(request.app[keys.STORE], user, clock=clock)
    now = clock.now()
    return web.json_response({"requests": [my_satisfaction_json(m, now) for m in found]})


@routes.put("/api/v1/satisfaction/{request_id}/answer")
async def answer(request: web.Request) -> web.Response:
    user = await current_user(request)
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    mine = await satisfaction.answer_request(
        store, user, path_id(request, "request_id"), await read_json(request), clock=clock
    )
    await emit_notifications_read(request.app, user.id, await inbox.count_unread(store, user))
    return web.json_response({"request": my_satisfaction_json(mine, clock.now())})


# coordinators


@routes.get("/api/v1/pairs/goals")
async def goal_counts(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    found = await goals.count_goals(request.app[keys.STORE], user)
    return web.json_response({"pairs": [goal_counts_json(c) for c in found]})


@routes.post("/api/v1/pairs/{pair_id}/satisfaction")
async def request_satisfaction(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    clock = request.app[keys.CLOCK]
    asked = await satisfaction.request_satisfaction(
        request.app[keys.STORE], user, path_id(request, "pair_id"), clock=clock
    )
    await emit_satisfaction_asked(request.app, asked.id)
    return web.json_response({"request": satisfaction_json(asked, clock.now())}, status=201)


@routes.get("/api/v1/satisfaction")
async def list_requests(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    found = await satisfaction.list_requests(request.app[keys.STORE], user)
    now = request.app[keys.CLOCK].now()
    return web.json_response({"requests": [satisfaction_json(r, now) for r in found]})


@routes.post("/api/v1/satisfaction/{request_id}/close")
async def close_request(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    clock = request.app[keys.CLOCK]
    closed = await satisfaction.close_request(
        request.app[keys.STORE], user, path_id(request, "request_id"), clock=clock
    )
    return web.json_response({"request": satisfaction_json(closed, clock.now())})


@routes.get("/api/v1/satisfaction/scores")
async def scores(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    found = await satisfaction.score_distribution(request.app[keys.STORE], user)
    return web.json_response(distribution_json(found))
