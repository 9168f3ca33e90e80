"""The notifications page (the bell leads here; it works without JavaScript), opening one
(marks it read and goes to the place), and the notification settings on the profile page."""

from __future__ import annotations

from aiohttp import web

from channels.errors import NotFound
from channels.languages import N_
from channels.notify import inbox
from channels.notify.wire import notification_json
from server import keys
from server.api.params import form_text, path_id, query_int
from server.auth import current_user
from server.pages.rendering import reader_of, render, see_other
from server.realtime.emit import emit_notifications_read

routes = web.RouteTableDef()


@routes.get("/notifications")
async def list_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    found = await inbox.list_notifications(
        request.app[keys.STORE], user, {"before_id": query_int(request, "before")}
    )
    return render(
        request,
        "notifications.html",
        user=user,
        notifications=[notification_json(n, reader_of(request, user)) for n in found.notifications],
        unread=found.unread,
        more=found.more,
    )


@routes.get("/notifications/{notification_id}")
async def open_one(request: web.Request) -> web.Response:
    """Mark it read and go to the place; only the person's own, in a channel they may read."""
    user = await current_user(request)
    store = request.app[keys.STORE]
    wanted = path_id(request, "notification_id")
    (found,) = await store.load_notifications([wanted]) or [None]
    listed = found is not None and found.user_id == user.id
    if listed:
        page = await inbox.list_notifications(store, user, {"before_id": wanted + 1, "limit": 1})
        listed = bool(page.notifications) and page.notifications[0].id == wanted
    if not listed or found is None:
        raise NotFound(N_("That notification does not exist."))
    unread = await inbox.mark_read(store, user, {"ids": [wanted]}, clock=request.app[keys.CLOCK])
    await emit_notifications_read(request.app, user.id, unread)
    return see_other(notification_json(found)["link"])


@routes.post("/notifications/read")
async def read_all(request: web.Request) -> web.Response:
    user = await current_user(request)
    unread = await inbox.mark_read(
        request.app[keys.STORE], user, {"all": True}, clock=request.app[keys.CLOCK]
    )
    await emit_notifications_read(request.app, user.id, unread)
    return see_other("/notifications")


@routes.post("/profile/notifications")
async def save_settings(request: web.Request) -> web.Response:
    user = await current_user(request)
    form = await request.post()
    await inbox.save_prefs(
        request.app[keys.STORE],
        user,
        {
            "kinds": {kind: form_text(form, f"kind_{kind}") == "on" for kind in inbox.KINDS},
            "digest": form_text(form, "digest"),
            "away_mail": form_text(form, "away_mail") == "on",
        },
    )
    return see_other("/profile?saved=notifications#notifications-title")
