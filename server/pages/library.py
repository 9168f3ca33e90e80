"""The resource library in the browser: browse what your role may see, open a resource
(counted for its week and your role), share one into a conversation."""

from __future__ import annotations

import uuid

from aiohttp import web

from channels.chat.messages import Changed
from channels.languages import N_
from channels.library import folders, resources
from channels.library.folders import AUDIENCE_NAMES
from channels.notify import inbox
from channels.policy import Action, allows
from server import keys
from server.api.params import form_int, form_text, path_id
from server.auth import current_user
from server.pages.files import serve_file
from server.pages.rendering import load_menu, render, run_form, see_other
from server.realtime.emit import emit_changes, emit_notifications_read
from storage.records import User

routes = web.RouteTableDef()


async def _library_page(
    request: web.Request, user: User, *, error: str | None = None
) -> web.Response:
    store = request.app[keys.STORE]
    library = await folders.load_library(store, user)  # what is new is marked on this page
    # Seen once shown: the menu's count of new resources starts again from here, and the
    # person's other tabs take the library's notifications off their bell.
    if await folders.mark_library_seen(store, user, clock=request.app[keys.CLOCK]):
        await emit_notifications_read(request.app, user.id, await inbox.count_unread(store, user))
    menu = await load_menu(request, user)
    targets = [
        item
        for section in menu.sections
        for item in section.items
        if allows(user, item.channel, Action.POST, is_member=True)
    ]
    return render(
        request,
        "library.html",
        user=user,
        menu=menu,
        here="/resources",
        library=library,
        targets=targets,
        audiences=AUDIENCE_NAMES,
        error=error,
    )


@routes.get("/resources")
async def library_page(request: web.Request) -> web.Response:
    return await _library_page(request, await current_user(request))


@routes.get("/resources/{resource_id}/open")
async def open_resource(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    opened = await resources.open_resource(
        request.app[keys.STORE],
        user,
        path_id(request, "resource_id"),
        count="Range" not in request.headers,  # a PDF viewer fetching the rest is one opening
        clock=request.app[keys.CLOCK],
    )
    if opened.file is not None:
        return await serve_file(request, opened.file)
    assert opened.resource.url is not None
    raise web.HTTPSeeOther(opened.resource.url)


@routes.post("/resources/{resource_id}/share")
async def share_resource(request: web.Request) -> web.Response:
    user = await current_user(request)
    form = await request.post()

    async def share() -> Changed:
        return await resources.share_resource(
            request.app[keys.STORE],
            user,
            {
                "resource_id": path_id(request, "resource_id"),
                "channel_id": form_int(form, "channel_id", N_("The conversation")),
                "client_id": form_text(form, "client_id") or str(uuid.uuid4()),
            },
            clock=request.app[keys.CLOCK],
        )

    changed = await run_form(share, lambda error: _library_page(request, user, error=error.message))
    await emit_changes(request.app, changed.changes)
    return see_other(f"/channels/{changed.message.channel_id}")
