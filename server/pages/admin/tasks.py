"""Tasks in the coordinator area: write, change and delete a task, post it now or schedule it
(once, on day N of each pairing, weekly until a day) to all active pairs, chosen pairs or a
cohort, and follow how far the pairs are (dates and done states only, never what they wrote).
One schedule's own page (change, pause, cancel) is in `task_schedules.py`.

Plain forms with the session's CSRF token, calling the same domain functions as the JSON API
in `server/api/tasks.py`.  A form that fails shows the page again with the reason and changes
nothing; one that works redirects with a short notice.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.errors import Invalid
from channels.languages import N_
from channels.render import render_markdown
from channels.tasks import planning as tasks
from channels.tasks.wire import progress_json
from server import keys
from server.api.params import form_int, form_text, path_id
from server.auth import current_coordinator
from server.pages.admin.programme import back, page
from server.pages.admin.task_schedules import (
    is_live,
    schedule_form_context,
    schedule_payload,
    schedule_words,
    typed_values,
)
from server.pages.rendering import run_form
from server.realtime.emit import emit_changes
from storage.records import User

routes = web.RouteTableDef()

ALL_ACTIVE_PAIRS = {"all": True}


async def _active_pairs(request: web.Request) -> int:
    return len(await request.app[keys.STORE].list_pairs(active_only=True))


def _template_fields(form: Any) -> dict[str, Any]:
    """The form as the domain takes it; an empty due period means no due date."""
    due_days = form_int(form, "due_days", N_("The due period"))
    return {"title": form.get("title"), "body": form.get("body", ""), "due_days": due_days}


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
            raise Invalid(N_("There is no active pair yet, so there is nobody to post it to."))
        return await tasks.create_template(store, user, fields, clock=clock)

    template = await run_form(
        create, lambda error: _tasks_page(request, user, error=error.message, form=form)
    )
    if not post:
        raise web.HTTPSeeOther(f"/admin/tasks/{template.id}?notice=saved")
    action = f"/admin/tasks/{template.id}/post-now"
    return await _post_now(request, user, template.id, lambda: ALL_ACTIVE_PAIRS, form, action)


# one task: its progress, post now, schedule


async def _task_page(
    request: web.Request,
    user: User,
    task_id: int,
    values: dict[str, Any] | None = None,
    **context: Any,
):
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    overview = await tasks.load_task(store, user, task_id, clock=clock)
    progress = progress_json(await tasks.load_progress(store, user, task_id, clock=clock))
    settings = request.app[keys.SCHEDULER].settings
    schedules = [
        {"schedule": s, "words": schedule_words(s, settings.calendar), "live": is_live(s)}
        for s in overview.schedules
    ]
    context.setdefault("editing", None)
    return page(
        request,
        "task.html",
        user,
        overview=overview,
        progress=progress,
        body_html=render_markdown(overview.template.body),
        schedules=schedules,
        active_pairs=await _active_pairs(request),
        values=values or {"when": "at", "who": "all", "pairs": []},
        **(await schedule_form_context(request, settings)),
        **context,
    )


@routes.get("/admin/tasks/{task_id}")
async def task_page(request: web.Request) -> web.Response:
    return await _task_page(
        request, await current_coordinator(request), path_id(request, "task_id")
    )


@routes.post("/admin/tasks/{task_id}")
async def edit_task(request: web.Request) -> web.Response:
    """A new title, text or due period, for the tasks not posted yet."""
    user = await current_coordinator(request)
    task_id = path_id(request, "task_id")
    form = await request.post()
    await run_form(
        lambda: tasks.edit_template(
            request.app[keys.STORE],
            user,
            task_id,
            _template_fields(form),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _task_page(request, user, task_id, error=error.message, editing=form),
    )
    raise back(f"/admin/tasks/{task_id}", "task-edited")


@routes.post("/admin/tasks/{task_id}/delete")
async def delete_task(request: web.Request) -> web.Response:
    """Asked first: a page that says which schedules stop and that posted tasks stay."""
    user = await current_coordinator(request)
    task_id = path_id(request, "task_id")
    form = await request.post()
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    if form.get("confirmed") != "yes":
        overview = await tasks.load_task(store, user, task_id, clock=clock)
        return page(
            request,
            "confirm_delete_task.html",
            user,
            overview=overview,
            live=sum(1 for s in overview.schedules if is_live(s)),
        )
    await run_form(
        lambda: tasks.delete_template(store, user, task_id, clock=clock),
        lambda error: _task_page(request, user, task_id, error=error.message),
    )
    raise back("/admin/tasks", "task-deleted")


async def _post_now(
    request: web.Request, user: User, task_id: int, target: Any, form: Any, action: str
) -> web.Response:
    """Posting again (the pairs have it already) is asked first: how many pairs get one more
    copy; it is posted when the form (every field kept) comes back confirmed."""
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    settings = request.app[keys.SCHEDULER].settings

    def again(error):
        return _task_page(request, user, task_id, typed_values(form), error=error.message)

    reached = await run_form(
        lambda: tasks.count_reached(store, user, target(), settings=settings), again
    )
    if form.get("confirmed") != "yes":
        progress = progress_json(await tasks.load_progress(store, user, task_id, clock=clock))
        if progress["totals"]["posted"]:
            return page(
                request,
                "confirm_post_again.html",
                user,
                overview=await tasks.load_task(store, user, task_id, clock=clock),
                reached=reached,
                action=action,
                fields=[(k, v) for k, v in form.items() if k not in ("csrf_token", "confirmed")],
            )
    posted = await run_form(
        lambda: tasks.post_now(store, user, task_id, target(), settings=settings, clock=clock),
        again,
    )
    await emit_changes(request.app, posted.changes)
    raise back(f"/admin/tasks/{task_id}", "posted")


@routes.post("/admin/tasks/{task_id}/post-now")
async def post_now(request: web.Request) -> web.Response:
    """The quick way: now, to every active pair."""
    user = await current_coordinator(request)
    task_id = path_id(request, "task_id")
    form = await request.post()
    return await _post_now(request, user, task_id, lambda: ALL_ACTIVE_PAIRS, form, request.path)


@routes.post("/admin/tasks/{task_id}/schedules")
async def schedule(request: web.Request) -> web.Response:
    """When (`when` = now, at, pair_day or weekly, with its fields) and to whom (`who` = all,
    pairs or cohort, with its fields), in the programme's time zone."""
    user = await current_coordinator(request)
    task_id = path_id(request, "task_id")
    form = await request.post()
    if form_text(form, "when") == "now":
        return await _post_now(
            request,
            user,
            task_id,
            lambda: schedule_payload(form, allow_now=True),
            form,
            request.path,
        )
    scheduler = request.app[keys.SCHEDULER]
    await run_form(
        lambda: tasks.create_schedule(
            request.app[keys.STORE],
            user,
            task_id,
            schedule_payload(form, allow_now=False),
            settings=scheduler.settings,
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _task_page(request, user, task_id, typed_values(form), error=error.message),
    )
    scheduler.wake()
    raise back(f"/admin/tasks/{task_id}", "scheduled")
