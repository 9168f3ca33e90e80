"""Digest links that need no login: one-click unsubscribe (RFC 8058: the mail client POSTs to
the List-Unsubscribe address; a person opening the link gets a page with one button), the
open pixel and the click redirect, which count per period and never who.  The coordinators'
page: a preview per role on the current data, and counts of digests sent, opened, clicked."""

from __future__ import annotations

import base64

from aiohttp import web

from channels.errors import NotFound
from channels.languages import N_
from channels.notify import digests
from channels.policy import ROLES
from server import keys
from server.api.params import path_id
from server.auth import current_coordinator
from server.pages.admin.programme import page
from server.pages.people import safe_next
from server.pages.rendering import reader_words, render
from server.runners.digests import digest_context, digest_settings

routes = web.RouteTableDef()

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_LINK = N_("This link does not work. Change your e-mail settings on your profile page instead.")


def _settings(request: web.Request) -> digests.DigestSettings:
    return digest_settings(request.app[keys.CONFIG], request.app[keys.SECRET])


@routes.get("/digests/unsubscribe/{user_id}/{signature}")
async def unsubscribe_page(request: web.Request) -> web.Response:
    user_id = path_id(request, "user_id")
    signature = request.match_info["signature"]
    if not digests.check_signed(_settings(request).secret, signature, "unsubscribe", user_id):
        raise NotFound(NO_LINK)
    person = await request.app[keys.STORE].load_user(user_id)  # the page in their language
    return render(
        request,
        "unsubscribe.html",
        done=False,
        action=request.path,
        **reader_words(request, person),
    )


@routes.post("/digests/unsubscribe/{user_id}/{signature}")
async def unsubscribe(request: web.Request) -> web.Response:
    """The signed link is the authority (no session, no CSRF token: see auth.SIGNED_LINKS)."""
    done = await digests.unsubscribe(
        request.app[keys.STORE],
        path_id(request, "user_id"),
        request.match_info["signature"],
        _settings(request),
        request.app[keys.CLOCK].now(),
    )
    if done is None:
        raise NotFound(NO_LINK)
    person = await request.app[keys.STORE].load_user(path_id(request, "user_id"))
    return render(
        request, "unsubscribe.html", done=True, action=request.path, **reader_words(request, person)
    )


async def _count(request: web.Request, *, clicked: bool, to: str = "") -> bool:
    return await digests.count_event(
        request.app[keys.STORE],
        request.query.get("p", "")[:40],
        request.query.get("t", "")[:40],
        request.query.get("s", ""),
        _settings(request),
        clicked=clicked,
        to=to,
        clock=request.app[keys.CLOCK],
    )


@routes.get("/digests/open.gif")
async def opened(request: web.Request) -> web.Response:
    await _count(request, clicked=False)
    return web.Response(body=PIXEL, content_type="image/gif", headers={"Cache-Control": "no-store"})


@routes.get("/digests/click")
async def clicked(request: web.Request) -> web.Response:
    to = request.query.get("to", "/")
    counted = await _count(request, clicked=True, to=to)
    raise web.HTTPFound(safe_next(to) if counted else "/")


@routes.get("/admin/digests")
async def admin_page(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    store = request.app[keys.STORE]
    settings = _settings(request)
    clock = request.app[keys.CLOCK]
    role = request.query.get("role", "mentee")
    if role not in ROLES:
        role = "mentee"
    preview = await digests.preview_for_role(store, role, clock.now(), settings)
    return page(
        request,
        "digests.html",
        user,
        role=role,
        preview_roles=ROLES,
        preview_text=_text_part(request, preview, settings),
        preview_language=digest_context(preview, settings)["language"],
        empty=preview.empty,
        counts=await store.count_digests(),
        unsubscribed=await store.count_unsubscribed(),
    )


def _text_part(request: web.Request, preview: digests.Digest, settings) -> str:
    return (
        request.app[keys.TEMPLATES]
        .get_template("mail/digest.txt")
        .render(**digest_context(preview, settings))
    )
