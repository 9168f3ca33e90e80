"""Feedback in the browser: the form a mentor or mentee fills from the menu (a screenshot may
come with it; works without JavaScript), and the coordinators' list."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.languages import N_
from channels.programme import feedback
from server import keys
from server.api.feedback import send_and_tell
from server.api.files import read_form_with_file
from server.api.params import form_text, path_id
from server.auth import current_coordinator, current_user, streams_its_body
from server.pages.admin.programme import back, page
from server.pages.rendering import load_menu, render, run_form, see_other
from storage.records import User

routes = web.RouteTableDef()

# The coordinators' list: each status and role as a word (translated where shown).
STATUS_NAMES = {"new": N_("New"), "answered": N_("Answered"), "closed": N_("Closed")}
ROLE_NAMES = {"mentor": N_("Mentor"), "mentee": N_("Mentee"), "coordinator": N_("Coordinator")}


async def _form_page(
    request: web.Request, user: User, *, error: str | None = None, form: Any = None
) -> web.Response:
    return render(
        request,
        "feedback.html",
        user=user,
        menu=await load_menu(request, user),
        here="/feedback",
        categories=feedback.CATEGORIES,
        error=error,
        form=form or {},
    )


@routes.get("/feedback")
async def form(request: web.Request) -> web.Response:
    return await _form_page(request, await current_user(request))


@routes.post("/feedback")
@streams_its_body
async def send(request: web.Request) -> web.Response:
    user = await current_user(request)
    typed: dict[str, str] = {}

    async def send_it() -> feedback.SentFeedback:
        fields, upload = await read_form_with_file(request, user)
        typed.update(fields)
        return await send_and_tell(
            request,
            {
                "category": form_text(fields, "category"),
                "body": form_text(fields, "body"),
                "attachments": [upload.public_id] if upload else [],
            },
        )

    sent = await run_form(
        send_it, lambda error: _form_page(request, user, error=error.message, form=typed)
    )
    return see_other(f"/channels/{sent.line.channel.id}#m-{sent.posted.message.id}")


@routes.get("/admin/feedback")
async def list_page(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    status = request.query.get("status") or None
    found = await feedback.list_feedback(
        request.app[keys.STORE], user, status=status, clock=request.app[keys.CLOCK]
    )
    return page(
        request,
        "feedback.html",
        user,
        found=found,
        shown=status,
        statuses=feedback.STATUSES,
        status_names=STATUS_NAMES,
        role_names=ROLE_NAMES,
        categories=feedback.CATEGORIES,
    )


@routes.post("/admin/feedback/{feedback_id}")
async def set_status(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    posted = await request.post()
    await feedback.set_status(
        request.app[keys.STORE],
        user,
        path_id(request, "feedback_id"),
        {"status": form_text(posted, "status")},
        clock=request.app[keys.CLOCK],
    )
    raise back("/admin/feedback", "updated")
