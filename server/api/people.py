"""The JSON API every person uses around administration: the menu, communities to join and
leave, and the password links (forgot password, choose a password) that need no login."""

from __future__ import annotations

from aiohttp import web

from channels.chat.wire import user_json
from channels.people import email_changes, invitations
from channels.programme import communities, menu
from channels.programme.wire import community_json, menu_item_json
from server import keys
from server.api.params import path_id, read_json
from server.auth import client_address, current_user, session_token, set_session_cookie
from server.realtime import emit as admin_events
from server.realtime.emit import disconnect_session
from server.runners.mailer import link_settings

routes = web.RouteTableDef()

RESET_ANSWER = (
    "If that address has an account, we have sent it a link to choose a new password."
    " It can take a few minutes to arrive."
)


@routes.get("/api/v1/menu")
async def my_menu(request: web.Request) -> web.Response:
    user = await current_user(request)
    items = await menu.menu_for(request.app[keys.STORE], user)
    return web.json_response({"role": user.role, "items": [menu_item_json(i) for i in items]})


@routes.get("/api/v1/communities")
async def list_communities(request: web.Request) -> web.Response:
    user = await current_user(request)
    found = await communities.list_communities(request.app[keys.STORE], user)
    return web.json_response({"communities": [community_json(c) for c in found]})


@routes.post("/api/v1/communities/{channel_id}/membership")
async def join(request: web.Request) -> web.Response:
    user = await current_user(request)
    channel = await communities.join_community(
        request.app[keys.STORE], user, path_id(request, "channel_id"), clock=request.app[keys.CLOCK]
    )
    await admin_events.emit_channel_to(request.app, channel, [user.id], is_member=True)
    return web.json_response({"community": {"id": channel.id, "is_member": True}})


@routes.delete("/api/v1/communities/{channel_id}/membership")
async def leave(request: web.Request) -> web.Response:
    user = await current_user(request)
    channel = await communities.leave_community(
        request.app[keys.STORE], user, path_id(request, "channel_id")
    )
    await admin_events.emit_channel_to(request.app, channel, [user.id], is_member=False)
    return web.json_response({"community": {"id": channel.id, "is_member": False}})


@routes.post("/api/v1/password-reset")
async def forgot_password(request: web.Request) -> web.Response:
    """Always the same answer, whether or not the address has an account."""
    await invitations.request_password_reset(
        request.app[keys.STORE],
        await read_json(request),
        address=client_address(request),
        links=link_settings(request.app[keys.CONFIG]),
        clock=request.app[keys.CLOCK],
    )
    admin_events.poke_mailer(request.app)
    return web.json_response({"ok": True, "message": RESET_ANSWER}, status=202)


@routes.get("/api/v1/password-links/{token}")
async def check_link(request: web.Request) -> web.Response:
    info = await invitations.check_link(
        request.app[keys.STORE], request.match_info["token"], clock=request.app[keys.CLOCK]
    )
    body = {"purpose": info.purpose, "user": {"name": info.user.name, "email": info.user.email}}
    if info.new_email is not None:
        body["new_email"] = info.new_email
    return web.json_response(body)


@routes.post("/api/v1/password")
async def set_password(request: web.Request) -> web.Response:
    """{token, password}: spend the link, set the password, and log in."""
    logged_in = await invitations.set_password_with_link(
        request.app[keys.STORE],
        await read_json(request),
        idle=request.app[keys.CONFIG].session_idle(),
        clock=request.app[keys.CLOCK],
    )
    await admin_events.end_sessions(request.app, logged_in.user.id, reason="password")
    response = web.json_response({"user": user_json(logged_in.user, private=True)})
    set_session_cookie(request, response, logged_in.token)
    return response


@routes.post("/api/v1/email-confirmation")
async def confirm_email(request: web.Request) -> web.Response:
    """{token} from the link mailed to a new address: make it the account's address.  Every
    other session ends (this one stays if it is the same person's) and their sockets close."""
    keep = session_token(request)
    changed = await email_changes.confirm_email_change(
        request.app[keys.STORE],
        await read_json(request),
        keep_session=keep,
        links=link_settings(request.app[keys.CONFIG]),
        clock=request.app[keys.CLOCK],
    )
    await disconnect_session(request.app, changed.after.id, keep=keep)
    admin_events.poke_mailer(request.app)
    return web.json_response({"user": user_json(changed.after, private=True)})
