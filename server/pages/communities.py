"""Communities of practice, for everyone: see them, join one, leave one."""

from __future__ import annotations

from aiohttp import web

from channels.languages import N_
from channels.programme import communities
from server import keys
from server.api.params import path_id
from server.auth import current_user
from server.pages.rendering import render, see_other
from server.realtime import emit as admin_events

routes = web.RouteTableDef()

NOTICES = {"left": N_("You have left the community. You can join it again at any time.")}


@routes.get("/communities")
async def list_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    listings = await communities.list_communities(request.app[keys.STORE], user)
    return render(
        request,
        "communities.html",
        user=user,
        listings=[c for c in listings if not c.archived],
        notice=NOTICES.get(request.query.get("notice", "")),
    )


@routes.post("/communities/{channel_id}/join")
async def join(request: web.Request) -> web.Response:
    user = await current_user(request)
    channel = await communities.join_community(
        request.app[keys.STORE], user, path_id(request, "channel_id"), clock=request.app[keys.CLOCK]
    )
    await admin_events.emit_channel_to(request.app, channel, [user.id], is_member=True)
    return see_other(f"/channels/{channel.id}")


@routes.post("/communities/{channel_id}/leave")
async def leave(request: web.Request) -> web.Response:
    user = await current_user(request)
    channel = await communities.leave_community(
        request.app[keys.STORE], user, path_id(request, "channel_id")
    )
    await admin_events.emit_channel_to(request.app, channel, [user.id], is_member=False)
    return see_other("/communities?notice=left")
