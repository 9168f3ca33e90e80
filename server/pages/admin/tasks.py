"""Tasks in the coordinator area: write a task, post it now to every active pair or at a set
time, and follow how far the pairs are (dates and done states only, never what they wrote).

Plain forms with the session's CSRF token, calling the same domain functions as the JSON API
in `tasks_api.py`.  A form that fails shows the page again with the reason and changes
nothing; one that works redirects with a short notice.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.dates import Calendar
from channels.errors import Invalid
from channels.render import render_markdown
from channels.tasks import planning as tasks
from channels.tasks.rules import rule_json, rule_of, target_of
from channels.tasks.wire import progress_json
from server import keys
from server.api.params import form_int, form_text, path_id
from server.auth import current_coordinator
from server.pages.admin.programme import page
from server.pages.rendering import run_form
from server.realtime.emit import emit_changes
from storage.records import TaskSchedule, User

routes = web.RouteTableDef()

ALL_ACTIVE_PAIRS = {"all": True}


async def _active_pairs(request: web.Request) -> int:
    return len(await request.app[keys.STORE].list_pairs(active_only=True))


def _template_fields(form: Any) -> dict[str, Any]:
    """The form as the domain takes it; an empty due period means no due date."""
    due_days = form_int(form, "due_days", "The due period")
    return {"title": form.get("title"), "body": form.get("body", ""), "due_days": due_days}


def schedule_words(schedule: TaskSchedule, calendar: Calendar) -> str:
    """A schedule as a coordinator would say it: when, to whom, and its state."""
    rule = rule_json(rule_of(schedule))
    if rule["kind"] == "now":
        when = f"Posted at once on {calendar.long(rule['at'])}"
    elif rule["kind"] == "at":
        when = f"Once, on {calendar.long(rule['at'])}"
    elif rule["kind"] == "pair_day":
        when = f"On day {rule['pair_day']} of each pairing at {rule['time']}"
    else:
        weekday = rule["weekly"]["weekday"].capitalize()
        until = calendar.day(rule["until"])
        when = f"Every {weekday} at {rule['weekly']['time']} until {until}"
    target = target_of(schedule)
    if target.kind == "pairs":
        whom = f"to {len(target.pair_ids)} chosen pairs"
    elif target.kind == "started_between":
        whom = "to the pairs that started in a date range"
    else:
        whom = "to all active pairs"
    state = {"active": "", "paused": " (paused)", "cancelled": " (cancelled)"}.get(
        schedule.state, ""
    )
    return f"{when}, {whom}{state}."


# the list, and a new task


async def _tasks_page(request: web.Request, user: User, **context: Any):
    overviews = await tasks.list_tasks(request.app[keys.STORE], user, clock=request.app[keys.CLOCK])
    return page(
        request,
        "tasks.html",
        user,
        tasks=overviews,
        active_pairs=await _active_pairs(request),
        **context,
    )


@routes.get("/admin/tasks")
async def tasks_page(request: web.Request) -> web.Response:
    return await _tasks_page(request, await current_coordinator(request))


@routes.post("/admin/tasks")
async def create_task(request: web.Request) -> web.Response:
    """Save a new task; with `action=post` also post it now to every active pair."""
    user = await current_coordinator(request)
    form = await request.post()
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    post = form.get("action") == "post"

    async def create():
        fields = _template_fields(form)
        if post and not await _active_pairs(request):
            raise Invalid("There is no active pair yet, so there is nobody to post it to.")
        return await tasks.create_template(store, user, fields, clock=clock)

    template = await run_form(
        create, lambda error: _tasks_page(request, user, error=error.message, form=form)
    )
    if not post:
        raise web.HTTPSeeOther(f"/admin/tasks/{template.id}?notice=saved")
    return await _post_now(request, user, template.id)


# one task: its progress, post now, schedule


async def _task_page(request: web.Request, user: User, task_id: int, **context: Any):
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    overview = await tasks.load_task(store, user, task_id, clock=clock)
    progress = progress_json(await tasks.load_progress(store, user, task_id, clock=clock))
    settings = request.app[keys.SCHEDULER].settings
    return page(
        request,
        "task.html",
        user,
        overview=overview,
        progress=progress,
        body_html=render_markdown(overview.template.body),
        schedules=[schedule_words(s, settings.calendar) for s in overview.schedules],
        active_pairs=await _active_pairs(request),
        zone=settings.zone.key,
        **context,
    )


@routes.get("/admin/tasks/{task_id}")
async def task_page(request: web.Request) -> web.Response:
    return await _task_page(
        request, await current_coordinator(request), path_id(request, "task_id")
    )


async def _post_now(request: web.Request, user: User, task_id: int) -> web.Response:
    """Posting again (the pairs have it already) is asked first: how many pairs get one more
    copy; it is posted when the form comes back confirmed."""
    form = await request.post()
    if form.get("confirmed") != "yes":
        store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
        progress = progress_json(await tasks.load_progress(store, user, task_id, clock=clock))
        if progress["totals"]["posted"]:
            overview = await tasks.load_task(store, user, task_id, clock=clock)
            return page(
                request,
                "confirm_post_again.html",
                user,
                overview=overview,
                active_pairs=await _active_pairs(request),
            )
    posted = await run_form(
        lambda: tasks.post_now(
            request.app[keys.STORE],
            user,
            task_id,
            ALL_ACTIVE_PAIRS,
            settings=request.app[keys.SCHEDULER].settings,
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _task_page(request, user, task_id, error=error.message),
    )
    await emit_changes(request.app, posted.changes)
    raise web.HTTPSeeOther(f"/admin/tasks/{task_id}?notice=posted")


@routes.post("/admin/tasks/{task_id}/post-now")
async def post_now(request: web.Request) -> web.Response:
    return await _post_now(request, await current_coordinator(request), path_id(request, "task_id"))


@routes.post("/admin/tasks/{task_id}/schedules")
async def schedule(request: web.Request) -> web.Response:
    """Post it once, at a date and time in the programme's zone, to every active pair then."""
    user = await current_coordinator(request)
    task_id = path_id(request, "task_id")
    form = await request.post()
    scheduler = request.app[keys.SCHEDULER]

    async def create():
        at = form_text(form, "at").strip()
        if not at:
            raise Invalid("Please choose the date and time to post it.")
        return await tasks.create_schedule(
            request.app[keys.STORE],
            user,
            task_id,
            {"at": at, **ALL_ACTIVE_PAIRS},
            settings=scheduler.settings,
            clock=request.app[keys.CLOCK],
        )

    await run_form(create, lambda error: _task_page(request, user, task_id, error=error.message))
    scheduler.wake()
    raise web.HTTPSeeOther(f"/admin/tasks/{task_id}?notice=scheduled")
