"""Goals and satisfaction in the coordinator area: the satisfaction answers (scores and the
comments addressed to the coordinators) and their distribution; asking a pair; closing a
form.  Goals show on the pairs page as counts only (server/pages/admin/programme.py)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.goals import satisfaction
from channels.languages import N_
from server import keys
from server.api.params import path_id
from server.auth import current_coordinator
from server.pages.admin.programme import back, page, show_pairs
from server.pages.rendering import reader_gettext, run_form
from server.realtime.emit import emit_satisfaction_asked
from storage.records import User

routes = web.RouteTableDef()

ROLE_NAMES = {"mentor": N_("Mentor"), "mentee": N_("Mentee")}  # translated where shown

NOTICES = {
    "closed": N_("The form is closed: its answers can no longer change."),
}


async def _satisfaction_page(request: web.Request, user: User, **context: Any) -> web.Response:
    store = request.app[keys.STORE]
    notice = NOTICES.get(request.query.get("notice", ""))  # said in her language
    context.setdefault("notice", reader_gettext(request, user)(notice) if notice else None)
    return page(
        request,
        "satisfaction.html",
        user,
        requests=await satisfaction.list_requests(store, user),
        distribution=await satisfaction.score_distribution(store, user),
        is_open=satisfaction.is_open,
        answer_days=satisfaction.ANSWER_DAYS,
        reasons=satisfaction.REASONS,
        role_names=ROLE_NAMES,
        **context,
    )


@routes.get("/admin/satisfaction")
async def satisfaction_page(request: web.Request) -> web.Response:
    return await _satisfaction_page(request, await current_coordinator(request))


@routes.post("/admin/pairs/{pair_id}/satisfaction")
async def ask_pair(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    asked = await run_form(
        lambda: satisfaction.request_satisfaction(
            request.app[keys.STORE],
            user,
            path_id(request, "pair_id"),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: show_pairs(request, user, error=error.message),
    )
    await emit_satisfaction_asked(request.app, asked.id)
    raise back("/admin/pairs", "asked")


@routes.post("/admin/satisfaction/{request_id}/close")
async def close_form(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    await run_form(
        lambda: satisfaction.close_request(
            request.app[keys.STORE],
            user,
            path_id(request, "request_id"),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _satisfaction_page(request, user, error=error.message),
    )
    raise back("/admin/satisfaction", "closed")
