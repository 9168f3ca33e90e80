"""Research consent in the browser: the question a participant is asked at first login (a
card on the home page, and this page), and the answer they may change on their profile.
Plain forms: they work without JavaScript."""

from __future__ import annotations

from aiohttp import web

from channels.research import consent
from server import keys
from server.api.params import form_text
from server.auth import current_user
from server.pages.people import safe_next
from server.pages.rendering import load_menu, render, run_form, see_other
from storage.records import User

routes = web.RouteTableDef()

ANSWERS = {"yes": True, "no": False}


async def _page(
    request: web.Request, user: User, next_path: str, error: str | None = None
) -> web.Response:
    return render(
        request,
        "consent.html",
        user=user,
        menu=await load_menu(request, user),
        decision=await consent.load_consent(request.app[keys.STORE], user),
        asked=consent.is_asked(user),
        min_cell=request.app[keys.CONFIG].report_min_cell,
        next_path=next_path,
        here="/consent",
        error=error,
    )


@routes.get("/consent")
async def consent_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    return await _page(request, user, safe_next(request.query.get("next", "/")))


@routes.post("/consent")
async def decide(request: web.Request) -> web.Response:
    """From the home page's card, this page, or the profile: `consented` is yes or no."""
    user = await current_user(request)
    form = await request.post()
    next_path = safe_next(form_text(form, "next") or "/")
    await run_form(
        lambda: consent.decide(
            request.app[keys.STORE],
            user,
            {"consented": ANSWERS.get(form_text(form, "consented"))},
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _page(request, user, next_path, error.message),
    )
    return see_other(next_path)
