"""A pair's goals in the browser, and the satisfaction form, with plain forms (they work
without JavaScript, and on a phone); `web/static/js/goals.js` keeps the goals page live.

Each form that works goes back to the goals page at the goal it changed; one that is refused
shows the page again with the reason (and, for a new goal, what was typed), having changed
nothing."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from channels.errors import Invalid
from channels.goals import goals, satisfaction
from channels.goals.goals import STATUSES, GoalChange
from channels.languages import N_
from channels.notify import inbox
from server import keys
from server.api.params import form_int, form_text, path_id
from server.auth import current_user
from server.pages.rendering import load_menu, me_json, render, run_form, see_other
from server.realtime.emit import emit_changes, emit_notifications_read
from storage.records import User

routes = web.RouteTableDef()


async def _goals_page(
    request: web.Request, user: User, channel_id: int, **context: Any
) -> web.Response:
    store = request.app[keys.STORE]
    found = await goals.list_goals(store, user, channel_id)
    menu = await load_menu(request, user)
    item = menu.item(channel_id)
    context.setdefault("error", None)
    context.setdefault("typed", None)
    return render(
        request,
        "goals.html",
        user=user,
        menu=menu,
        here=f"/channels/{channel_id}/goals",
        current=channel_id,
        item=item,
        found=found,
        statuses=STATUSES,
        client_id=str(uuid.uuid4()),
        page_data={"me": me_json(user), "channel_id": channel_id},
        **context,
    )


def _back(change: GoalChange, channel_id: int) -> web.Response:
    """To the goals page, at the goal (the top of the page once it is removed)."""
    anchor = "" if change.goal is None else f"#goal-{change.goal.id}"
    return see_other(f"/channels/{channel_id}/goals{anchor}")


@routes.get("/channels/{channel_id}/goals")
async def goals_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    return await _goals_page(request, user, path_id(request, "channel_id"))


@routes.post("/channels/{channel_id}/goals")
async def add_goal(request: web.Request) -> web.Response:
    """`title`, `milestones` (one a line), `client_id`."""
    user = await current_user(request)
    channel_id = path_id(request, "channel_id")
    form = await request.post()
    lines = form_text(form, "milestones").splitlines()
    change = await run_form(
        lambda: goals.add_goal(
            request.app[keys.STORE],
            user,
            channel_id,
            {
                "title": form_text(form, "title"),
                "milestones": lines,
                "client_id": form_text(form, "client_id") or None,
            },
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _goals_page(request, user, channel_id, error=error.message, typed=form),
    )
    await emit_changes(request.app, change.changes)
    return _back(change, channel_id)


async def _goal_channel(request: web.Request, user: User, goal_id: int) -> int:
    """The channel of a goal `user` may read (else not found, as for a goal never made)."""
    return (await goals.load_goal(request.app[keys.STORE], user, goal_id)).channel_id


@routes.post("/goals/{goal_id}")
async def change_goal(request: web.Request) -> web.Response:
    """`action` = `save` (`title` and/or `status`: only the fields the form has) or
    `remove`."""
    user = await current_user(request)
    goal_id = path_id(request, "goal_id")
    channel_id = await _goal_channel(request, user, goal_id)
    form = await request.post()
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    action = form_text(form, "action")

    async def change() -> GoalChange:
        if action == "remove":
            return await goals.remove_goal(store, user, goal_id, clock=clock)
        if action == "save":
            payload = {k: form_text(form, k) for k in ("title", "status") if k in form}
            return await goals.change_goal(store, user, goal_id, payload, clock=clock)
        raise Invalid(N_("Please use the goal's buttons: 'action' must be save or remove."))

    result = await run_form(
        change, lambda error: _goals_page(request, user, channel_id, error=error.message)
    )
    await emit_changes(request.app, result.changes)
    return _back(result, channel_id)


@routes.post("/goals/{goal_id}/milestones")
async def add_milestone(request: web.Request) -> web.Response:
    """`title`."""
    user = await current_user(request)
    goal_id = path_id(request, "goal_id")
    channel_id = await _goal_channel(request, user, goal_id)
    form = await request.post()
    result = await run_form(
        lambda: goals.add_milestone(
            request.app[keys.STORE],
            user,
            goal_id,
            {"title": form_text(form, "title")},
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _goals_page(request, user, channel_id, error=error.message),
    )
    await emit_changes(request.app, result.changes)
    return _back(result, channel_id)


@routes.post("/milestones/{milestone_id}")
async def change_milestone(request: web.Request) -> web.Response:
    """`action` = `done`, `undo`, `save` (`title`) or `remove`."""
    user = await current_user(request)
    milestone_id = path_id(request, "milestone_id")
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    channel_id = (await goals.goal_of_milestone(store, user, milestone_id)).channel_id
    form = await request.post()
    action = form_text(form, "action")
    payloads = {
        "done": {"done": True},
        "undo": {"done": False},
        "save": {"title": form_text(form, "title")},
    }

    async def change() -> GoalChange:
        if action == "remove":
            return await goals.remove_milestone(store, user, milestone_id, clock=clock)
        if action not in payloads:
            raise Invalid(
                N_(
                    "Please use the milestone's buttons: 'action' must be done, undo, save or remove."
                )
            )
        return await goals.change_milestone(
            store, user, milestone_id, payloads[action], clock=clock
        )

    result = await run_form(
        change, lambda error: _goals_page(request, user, channel_id, error=error.message)
    )
    await emit_changes(request.app, result.changes)
    return _back(result, channel_id)


# satisfaction


async def _satisfaction_page(
    request: web.Request, user: User, request_id: int, **context: Any
) -> web.Response:
    clock = request.app[keys.CLOCK]
    mine = await satisfaction.load_mine(request.app[keys.STORE], user, request_id, clock=clock)
    context.setdefault("error", None)
    context.setdefault("typed", None)
    return render(
        request,
        "satisfaction.html",
        user=user,
        menu=await load_menu(request, user),
        here=f"/satisfaction/{request_id}",
        mine=mine,
        saved=request.query.get("saved") == "1",
        **context,
    )


@routes.get("/satisfaction/{request_id}")
async def satisfaction_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    return await _satisfaction_page(request, user, path_id(request, "request_id"))


@routes.post("/satisfaction/{request_id}")
async def answer(request: web.Request) -> web.Response:
    """`relationship` and `progress` (1 to 5), `comment`."""
    user = await current_user(request)
    request_id = path_id(request, "request_id")
    form = await request.post()
    store = request.app[keys.STORE]
    await run_form(
        lambda: satisfaction.answer_request(
            store,
            user,
            request_id,
            {
                "relationship": form_int(form, "relationship", "'relationship'"),
                "progress": form_int(form, "progress", "'progress'"),
                "comment": form_text(form, "comment"),
            },
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _satisfaction_page(
            request, user, request_id, error=error.message, typed=form
        ),
    )
    await emit_notifications_read(request.app, user.id, await inbox.count_unread(store, user))
    return see_other(f"/satisfaction/{request_id}?saved=1")
