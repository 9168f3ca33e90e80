"""Notifications over the JSON API: the list, marking read, the settings, and the people one
may mention in a channel (the composer's `@` suggestions)."""

from __future__ import annotations

from aiohttp import web

from channels.chat.directory import load_visible_channel
from channels.input import check_text
from channels.notify import inbox
from channels.notify.mentions import list_mentionable
from channels.notify.wire import notification_json
from channels.readers import Reader
from server import keys
from server.api.params import path_id, query_int, read_json
from server.auth import current_user
from server.realtime.emit import emit_notifications_read

routes = web.RouteTableDef()


def prefs_json(prefs) -> dict:
    return {
        "kinds": {kind: kind not in prefs.muted for kind in inbox.KINDS},
        "digest": prefs.digest,
        "away_mail": prefs.away_mail,
    }


@routes.get("/api/v1/notifications")
async def list_notifications(request: web.Request) -> web.Response:
    user = await current_user(request)
    found = await inbox.list_notifications(
        request.app[keys.STORE],
        user,
        {"before_id": query_int(request, "before_id"), "limit": query_int(request, "limit")},
    )
    # The sentences in the reader's language, as the page and the bell show them.
    programme = request.app[keys.TEMPLATES].globals["programme_calendar"]
    words = Reader.of(user.language, programme)
    return web.json_response(
        {
            "notifications": [notification_json(n, words) for n in found.notifications],
            "unread": found.unread,
            "more": found.more,
        }
    )


@routes.post("/api/v1/notifications/read")
async def mark_read(request: web.Request) -> web.Response:
    user = await current_user(request)
    unread = await inbox.mark_read(
        request.app[keys.STORE], user, await read_json(request), clock=request.app[keys.CLOCK]
    )
    await emit_notifications_read(request.app, user.id, unread)
    return web.json_response({"unread": unread})


@routes.get("/api/v1/me/notifications")
async def my_settings(request: web.Request) -> web.Response:
    user = await current_user(request)
    return web.json_response(prefs_json(await inbox.load_prefs(request.app[keys.STORE], user)))


@routes.patch("/api/v1/me/notifications")
async def change_my_settings(request: web.Request) -> web.Response:
    user = await current_user(request)
    prefs = await inbox.save_prefs(request.app[keys.STORE], user, await read_json(request))
    return web.json_response(prefs_json(prefs))


@routes.get("/api/v1/channels/{channel_id}/mentionable")
async def mentionable(request: web.Request) -> web.Response:
    user = await current_user(request)
    store = request.app[keys.STORE]
    channel = await load_visible_channel(store, user, path_id(request, "channel_id"))
    query = check_text(dict(request.query), "q", max_length=100, optional=True, allow_empty=True)
    people = await list_mentionable(store, user, channel, query or "")
    return web.json_response(
        {"people": [{"id": p.id, "name": p.name, "role": p.role} for p in people]}
    )
